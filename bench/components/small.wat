;; A small component for the instantiation micro-benchmark: one core module with a memory, a
;; global and a data segment, one lifted export.
(component
  (core module $m
    (memory (export "mem") 1)
    (global $g (mut i32) (i32.const 7))
    (data (i32.const 0) "kumo")
    (func (export "get") (result i32) (i32.add (global.get $g) (i32.load8_u (i32.const 0)))))
  (core instance $i (instantiate $m))
  (func (export "get") (result u32) (canon lift (core func $i "get")))
)

;; A command that traps in run.
(component
  (core module $m
    (func $inner unreachable)
    (func (export "run") (result i32) (call $inner) (i32.const 0)))
  (core instance $i (instantiate $m))
  (func $run (result (result)) (canon lift (core func $i "run")))
  (instance $runinst (export "run" (func $run)))
  (export "wasi:cli/run@0.2.3" (instance $runinst)))

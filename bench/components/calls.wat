;; Micro-benchmark component (bench/micro/component_bench.cpp): a caller component that calls,
;; in a core-wasm loop, (1) host functions and (2) a function of a sibling component, passing a
;; string and a list of records. Assemble with ./build.sh (jco parse = wasm-tools' text parser).
(component
  (type $rec-def (record (field "id" u32) (field "name" string)))
  (import "kumo:bench/host" (instance $host
    (type $r (record (field "id" u32) (field "name" string)))
    (export "rec" (type $rec (eq $r)))
    (export "add" (func (param "a" u32) (param "b" u32) (result u32)))
    (export "take" (func (param "s" string) (param "items" (list $rec)) (result u32)))
  ))
  (alias export $host "rec" (type $host-rec))
  (alias export $host "add" (func $host-add))
  (alias export $host "take" (func $host-take))

  ;; The callee: sums the string's length and the lengths of the records' names.
  (component $callee
    (type $r (record (field "id" u32) (field "name" string)))
    (import "rec" (type $rec (eq $r)))
    (core module $m
      (memory (export "mem") 1)
      (global $bump (mut i32) (i32.const 1024))
      ;; A bump allocator that starts over for every call (the benchmark's values are small).
      (func (export "realloc") (param i32 i32 i32 i32) (result i32)
        (local $p i32)
        (local.set $p (i32.and (i32.add (global.get $bump) (i32.sub (local.get 2) (i32.const 1)))
                               (i32.sub (i32.const 0) (local.get 2))))
        (global.set $bump (i32.add (local.get $p) (local.get 3)))
        (if (i32.gt_u (global.get $bump) (i32.const 60000)) (then (global.set $bump (i32.const 1024))
          (local.set $p (i32.const 1024)) (global.set $bump (i32.add (i32.const 1024) (local.get 3)))))
        (local.get $p))
      (func (export "process") (param $s i32) (param $slen i32) (param $l i32) (param $n i32) (result i32)
        (local $acc i32)
        (local.set $acc (local.get $slen))
        (block $done
          (loop $next
            (br_if $done (i32.eqz (local.get $n)))
            ;; record layout: id u32 @0, name ptr @4, name len @8 (12 bytes)
            (local.set $acc (i32.add (local.get $acc) (i32.load offset=8 (local.get $l))))
            (local.set $l (i32.add (local.get $l) (i32.const 12)))
            (local.set $n (i32.sub (local.get $n) (i32.const 1)))
            (br $next)))
        (global.set $bump (i32.const 1024))
        (local.get $acc))
    )
    (core instance $i (instantiate $m))
    (func (export "process") (param "s" string) (param "items" (list $rec)) (result u32)
      (canon lift (core func $i "process") (memory (core memory $i "mem")) (realloc (core func $i "realloc"))))
  )
  (instance $callee-inst (instantiate $callee (with "rec" (type $rec-def))))

  ;; The caller: loops in core wasm over an import.
  (component $caller
    (type $r (record (field "id" u32) (field "name" string)))
    (import "rec" (type $rec (eq $r)))
    (import "add" (func $add (param "a" u32) (param "b" u32) (result u32)))
    (import "take" (func $take (param "s" string) (param "items" (list $rec)) (result u32)))
    (import "process" (func $process (param "s" string) (param "items" (list $rec)) (result u32)))
    (core module $mem-mod (memory (export "mem") 1))
    (core instance $mem (instantiate $mem-mod))
    (core func $add-l (canon lower (func $add)))
    (core func $take-l (canon lower (func $take) (memory (core memory $mem "mem"))))
    (core func $process-l (canon lower (func $process) (memory (core memory $mem "mem"))))
    (core module $m
      (import "env" "mem" (memory 1))
      (import "env" "add" (func $add (param i32 i32) (result i32)))
      (import "env" "take" (func $take (param i32 i32 i32 i32) (result i32)))
      (import "env" "process" (func $process (param i32 i32 i32 i32) (result i32)))
      ;; "hello, component world" at 16; names at 64..; records (id, ptr, len) at 128
      (data (i32.const 16) "hello, component world")
      (data (i32.const 64) "alpha" "bravo" "charlie")
      (data (i32.const 128)
        "\01\00\00\00" "\40\00\00\00" "\05\00\00\00"
        "\02\00\00\00" "\45\00\00\00" "\05\00\00\00"
        "\03\00\00\00" "\4a\00\00\00" "\07\00\00\00")
      (func (export "run-add") (param $n i32) (result i32)
        (local $acc i32)
        (block $done (loop $next
          (br_if $done (i32.eqz (local.get $n)))
          (local.set $acc (call $add (local.get $acc) (local.get $n)))
          (local.set $n (i32.sub (local.get $n) (i32.const 1)))
          (br $next)))
        (local.get $acc))
      (func (export "run-take") (param $n i32) (result i32)
        (local $acc i32)
        (block $done (loop $next
          (br_if $done (i32.eqz (local.get $n)))
          (local.set $acc (i32.add (local.get $acc)
            (call $take (i32.const 16) (i32.const 22) (i32.const 128) (i32.const 3))))
          (local.set $n (i32.sub (local.get $n) (i32.const 1)))
          (br $next)))
        (local.get $acc))
      (func (export "run-process") (param $n i32) (result i32)
        (local $acc i32)
        (block $done (loop $next
          (br_if $done (i32.eqz (local.get $n)))
          (local.set $acc (i32.add (local.get $acc)
            (call $process (i32.const 16) (i32.const 22) (i32.const 128) (i32.const 3))))
          (local.set $n (i32.sub (local.get $n) (i32.const 1)))
          (br $next)))
        (local.get $acc))
    )
    (core instance $env (export "mem" (memory $mem "mem")) (export "add" (func $add-l))
      (export "take" (func $take-l)) (export "process" (func $process-l)))
    (core instance $i (instantiate $m (with "env" (instance $env))))
    (func (export "run-add") (param "n" u32) (result u32) (canon lift (core func $i "run-add")))
    (func (export "run-take") (param "n" u32) (result u32) (canon lift (core func $i "run-take")))
    (func (export "run-process") (param "n" u32) (result u32) (canon lift (core func $i "run-process")))
  )
  (instance $caller-inst (instantiate $caller
    (with "rec" (type $host-rec))
    (with "add" (func $host-add))
    (with "take" (func $host-take))
    (with "process" (func $callee-inst "process"))))
  (export "run-add" (func $caller-inst "run-add"))
  (export "run-take" (func $caller-inst "run-take"))
  (export "run-process" (func $caller-inst "run-process"))
)

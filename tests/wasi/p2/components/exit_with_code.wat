;; A command that exits through wasi:cli/exit exit-with-code(42) (a 0.2.x older than the host).
(component
  (import "wasi:cli/exit@0.2.6" (instance $exit
    (export "exit-with-code" (func (param "status-code" u8)))))
  (core func $exit_with_code (canon lower (func $exit "exit-with-code")))
  (core module $m
    (import "host" "exit-with-code" (func $ewc (param i32)))
    (func (export "run") (result i32)
      (call $ewc (i32.const 42))
      unreachable))
  (core instance $h (export "exit-with-code" (func $exit_with_code)))
  (core instance $i (instantiate $m (with "host" (instance $h))))
  (func $run (result (result)) (canon lift (core func $i "run")))
  (instance $runinst (export "run" (func $run)))
  (export "wasi:cli/run@0.2.6" (instance $runinst)))

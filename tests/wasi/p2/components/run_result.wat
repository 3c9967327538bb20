;; A command whose run returns err (exit status 1), importing a 0.2.x newer than the host's.
(component
  (import "wasi:cli/environment@0.2.99" (instance $env
    (export "get-arguments" (func (result (list string))))))
  (core module $libc
    (memory (export "memory") 1)
    (global $next (mut i32) (i32.const 1024))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $p i32)
      (local.set $p (i32.and (i32.add (global.get $next) (i32.sub (local.get 2) (i32.const 1)))
                             (i32.sub (i32.const 0) (local.get 2))))
      (global.set $next (i32.add (local.get $p) (local.get 3)))
      (local.get $p)))
  (core instance $libc (instantiate $libc))
  (core func $get_args (canon lower (func $env "get-arguments")
    (memory (core memory $libc "memory")) (realloc (core func $libc "realloc"))))
  (core module $m
    (import "libc" "memory" (memory 1))
    (import "host" "get-arguments" (func $args (param i32)))
    (func (export "run") (result i32)
      ;; run returns ok (0) with exactly one argument (the program), err (1) otherwise
      (call $args (i32.const 16))
      (i32.ne (i32.load (i32.const 20)) (i32.const 1))))
  (core instance $h (export "get-arguments" (func $get_args)))
  (core instance $i (instantiate $m (with "host" (instance $h)) (with "libc" (instance $libc))))
  (func $run (result (result)) (canon lift (core func $i "run")))
  (instance $runinst (export "run" (func $run)))
  (export "wasi:cli/run@0.2.0" (instance $runinst)))

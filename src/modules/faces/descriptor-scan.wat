;; The inner loop of brute-force 1:N face search (descriptor-index.ts): out[r] = dot(rows[r], probe)
;; for every row, four f32x4 accumulators over 16 floats a step. Compiled into
;; descriptor-scan.wasm.ts by `npm run build:wasm`; descriptor-index.test.ts fails when that file is
;; not the compilation of this one.
;;
;; Arguments are byte offsets into the memory the caller gives (env.memory). `stride` (floats per row) is a multiple of 16:
;; rows are zero-padded up to it, which leaves every dot product unchanged.
(module
  (import "env" "memory" (memory 1))
  (func (export "dots") (param $rows i32) (param $n i32) (param $stride i32) (param $probe i32) (param $out i32)
    (local $r i32) (local $i i32) (local $row i32) (local $rowBytes i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local.set $rowBytes (i32.shl (local.get $stride) (i32.const 2)))
    (local.set $row (local.get $rows))
    (block $done
      (loop $nextRow
        (br_if $done (i32.ge_u (local.get $r) (local.get $n)))
        (local.set $a0 (v128.const i32x4 0 0 0 0))
        (local.set $a1 (v128.const i32x4 0 0 0 0))
        (local.set $a2 (v128.const i32x4 0 0 0 0))
        (local.set $a3 (v128.const i32x4 0 0 0 0))
        (local.set $i (i32.const 0))
        (loop $step
          (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul
            (v128.load (i32.add (local.get $row) (local.get $i)))
            (v128.load (i32.add (local.get $probe) (local.get $i))))))
          (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul
            (v128.load offset=16 (i32.add (local.get $row) (local.get $i)))
            (v128.load offset=16 (i32.add (local.get $probe) (local.get $i))))))
          (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul
            (v128.load offset=32 (i32.add (local.get $row) (local.get $i)))
            (v128.load offset=32 (i32.add (local.get $probe) (local.get $i))))))
          (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul
            (v128.load offset=48 (i32.add (local.get $row) (local.get $i)))
            (v128.load offset=48 (i32.add (local.get $probe) (local.get $i))))))
          (local.set $i (i32.add (local.get $i) (i32.const 64)))
          (br_if $step (i32.lt_u (local.get $i) (local.get $rowBytes))))
        (local.set $a0 (f32x4.add (f32x4.add (local.get $a0) (local.get $a1)) (f32x4.add (local.get $a2) (local.get $a3))))
        (f32.store (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 2)))
          (f32.add
            (f32.add (f32x4.extract_lane 0 (local.get $a0)) (f32x4.extract_lane 1 (local.get $a0)))
            (f32.add (f32x4.extract_lane 2 (local.get $a0)) (f32x4.extract_lane 3 (local.get $a0)))))
        (local.set $row (i32.add (local.get $row) (local.get $rowBytes)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $nextRow)))))

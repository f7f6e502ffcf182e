;; Float32 kernels for src/nn, compiled to kernels.generated.ts by `npm run build:wasm` (wabt).
;; All pointers are byte offsets into the imported memory; matrices are row-major.
(module
  (import "env" "memory" (memory 1))

  ;; Horizontal sum of the four lanes.
  (func $hsum (param $v v128) (result f32)
    (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $v)) (f32x4.extract_lane 1 (local.get $v)))
      (f32.add (f32x4.extract_lane 2 (local.get $v)) (f32x4.extract_lane 3 (local.get $v)))))

  ;; sum_k A[k] * B[k] for one row of A and one row of B (K floats each, byte pointers).
  (func $dot (param $pa i32) (param $pb i32) (param $K i32) (result f32)
    (local $kb i32) (local $end4 i32) (local $end i32) (local $s v128) (local $t f32)
    (local.set $end4 (i32.shl (i32.and (local.get $K) (i32.const -4)) (i32.const 2)))
    (local.set $end (i32.shl (local.get $K) (i32.const 2)))
    (local.set $s (v128.const f32x4 0 0 0 0))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $kb) (local.get $end4)))
        (local.set $s (f32x4.add (local.get $s)
          (f32x4.mul (v128.load (i32.add (local.get $pa) (local.get $kb))) (v128.load (i32.add (local.get $pb) (local.get $kb))))))
        (local.set $kb (i32.add (local.get $kb) (i32.const 16)))
        (br $l)))
    (local.set $t (call $hsum (local.get $s)))
    (block $done2
      (loop $l2
        (br_if $done2 (i32.ge_u (local.get $kb) (local.get $end)))
        (local.set $t (f32.add (local.get $t)
          (f32.mul (f32.load (i32.add (local.get $pa) (local.get $kb))) (f32.load (i32.add (local.get $pb) (local.get $kb))))))
        (local.set $kb (i32.add (local.get $kb) (i32.const 4)))
        (br $l2)))
    (local.get $t))

  ;; Writes (or adds) dot(A row, B row) into C[pc].
  (func $put (param $pc i32) (param $v f32) (param $acc i32)
    (if (local.get $acc)
      (then (f32.store (local.get $pc) (f32.add (f32.load (local.get $pc)) (local.get $v))))
      (else (f32.store (local.get $pc) (local.get $v)))))

  ;; 2 rows of A (pa0, pa0 + rowA) by 4 rows of B (pb0 + j * rowB): C[pc0 + {0,1,2,3}], C[pc1 + ...].
  (func $block24 (param $pa0 i32) (param $pb0 i32) (param $K i32) (param $pc0 i32) (param $pc1 i32) (param $acc i32)
    (local $pa1 i32) (local $pb1 i32) (local $pb2 i32) (local $pb3 i32) (local $row i32)
    (local $kb i32) (local $end4 i32) (local $end i32)
    (local $x0 v128) (local $x1 v128) (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128)
    (local $s00 v128) (local $s01 v128) (local $s02 v128) (local $s03 v128)
    (local $s10 v128) (local $s11 v128) (local $s12 v128) (local $s13 v128)
    (local $r00 f32) (local $r01 f32) (local $r02 f32) (local $r03 f32)
    (local $r10 f32) (local $r11 f32) (local $r12 f32) (local $r13 f32)
    (local $a0 f32) (local $a1 f32) (local $b0 f32) (local $b1 f32) (local $b2 f32) (local $b3 f32)
    (local.set $row (i32.shl (local.get $K) (i32.const 2)))
    (local.set $pa1 (i32.add (local.get $pa0) (local.get $row)))
    (local.set $pb1 (i32.add (local.get $pb0) (local.get $row)))
    (local.set $pb2 (i32.add (local.get $pb1) (local.get $row)))
    (local.set $pb3 (i32.add (local.get $pb2) (local.get $row)))
    (local.set $end4 (i32.shl (i32.and (local.get $K) (i32.const -4)) (i32.const 2)))
    (local.set $end (local.get $row))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $kb) (local.get $end4)))
        (local.set $x0 (v128.load (i32.add (local.get $pa0) (local.get $kb))))
        (local.set $x1 (v128.load (i32.add (local.get $pa1) (local.get $kb))))
        (local.set $v0 (v128.load (i32.add (local.get $pb0) (local.get $kb))))
        (local.set $v1 (v128.load (i32.add (local.get $pb1) (local.get $kb))))
        (local.set $v2 (v128.load (i32.add (local.get $pb2) (local.get $kb))))
        (local.set $v3 (v128.load (i32.add (local.get $pb3) (local.get $kb))))
        (local.set $s00 (f32x4.add (local.get $s00) (f32x4.mul (local.get $x0) (local.get $v0))))
        (local.set $s01 (f32x4.add (local.get $s01) (f32x4.mul (local.get $x0) (local.get $v1))))
        (local.set $s02 (f32x4.add (local.get $s02) (f32x4.mul (local.get $x0) (local.get $v2))))
        (local.set $s03 (f32x4.add (local.get $s03) (f32x4.mul (local.get $x0) (local.get $v3))))
        (local.set $s10 (f32x4.add (local.get $s10) (f32x4.mul (local.get $x1) (local.get $v0))))
        (local.set $s11 (f32x4.add (local.get $s11) (f32x4.mul (local.get $x1) (local.get $v1))))
        (local.set $s12 (f32x4.add (local.get $s12) (f32x4.mul (local.get $x1) (local.get $v2))))
        (local.set $s13 (f32x4.add (local.get $s13) (f32x4.mul (local.get $x1) (local.get $v3))))
        (local.set $kb (i32.add (local.get $kb) (i32.const 16)))
        (br $l)))
    (local.set $r00 (call $hsum (local.get $s00)))
    (local.set $r01 (call $hsum (local.get $s01)))
    (local.set $r02 (call $hsum (local.get $s02)))
    (local.set $r03 (call $hsum (local.get $s03)))
    (local.set $r10 (call $hsum (local.get $s10)))
    (local.set $r11 (call $hsum (local.get $s11)))
    (local.set $r12 (call $hsum (local.get $s12)))
    (local.set $r13 (call $hsum (local.get $s13)))
    (block $done2
      (loop $l2
        (br_if $done2 (i32.ge_u (local.get $kb) (local.get $end)))
        (local.set $a0 (f32.load (i32.add (local.get $pa0) (local.get $kb))))
        (local.set $a1 (f32.load (i32.add (local.get $pa1) (local.get $kb))))
        (local.set $b0 (f32.load (i32.add (local.get $pb0) (local.get $kb))))
        (local.set $b1 (f32.load (i32.add (local.get $pb1) (local.get $kb))))
        (local.set $b2 (f32.load (i32.add (local.get $pb2) (local.get $kb))))
        (local.set $b3 (f32.load (i32.add (local.get $pb3) (local.get $kb))))
        (local.set $r00 (f32.add (local.get $r00) (f32.mul (local.get $a0) (local.get $b0))))
        (local.set $r01 (f32.add (local.get $r01) (f32.mul (local.get $a0) (local.get $b1))))
        (local.set $r02 (f32.add (local.get $r02) (f32.mul (local.get $a0) (local.get $b2))))
        (local.set $r03 (f32.add (local.get $r03) (f32.mul (local.get $a0) (local.get $b3))))
        (local.set $r10 (f32.add (local.get $r10) (f32.mul (local.get $a1) (local.get $b0))))
        (local.set $r11 (f32.add (local.get $r11) (f32.mul (local.get $a1) (local.get $b1))))
        (local.set $r12 (f32.add (local.get $r12) (f32.mul (local.get $a1) (local.get $b2))))
        (local.set $r13 (f32.add (local.get $r13) (f32.mul (local.get $a1) (local.get $b3))))
        (local.set $kb (i32.add (local.get $kb) (i32.const 4)))
        (br $l2)))
    (call $put (local.get $pc0) (local.get $r00) (local.get $acc))
    (call $put (i32.add (local.get $pc0) (i32.const 4)) (local.get $r01) (local.get $acc))
    (call $put (i32.add (local.get $pc0) (i32.const 8)) (local.get $r02) (local.get $acc))
    (call $put (i32.add (local.get $pc0) (i32.const 12)) (local.get $r03) (local.get $acc))
    (call $put (local.get $pc1) (local.get $r10) (local.get $acc))
    (call $put (i32.add (local.get $pc1) (i32.const 4)) (local.get $r11) (local.get $acc))
    (call $put (i32.add (local.get $pc1) (i32.const 8)) (local.get $r12) (local.get $acc))
    (call $put (i32.add (local.get $pc1) (i32.const 12)) (local.get $r13) (local.get $acc)))

  ;; tanh in place over ceil(n / 4) * 4 floats at p (callers pad buffers to multiples of 4).
  ;; tanh(|x|) = (1 - e) / (1 + e) with e = exp(-2|x|); exp by 2^k * poly(r), |r| <= ln2 / 2.
  ;; Below |x| = 0.2 the odd Taylor series to x^9 is used instead, to avoid cancellation in 1 - e.
  (func (export "tanh") (param $p i32) (param $n i32)
    (local $end i32) (local $x v128) (local $a v128) (local $y v128) (local $k v128) (local $r v128)
    (local $q v128) (local $e v128) (local $x2 v128) (local $s v128)
    (local.set $end (i32.add (local.get $p) (i32.shl (i32.and (i32.add (local.get $n) (i32.const 3)) (i32.const -4)) (i32.const 2))))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $x (v128.load (local.get $p)))
        ;; a = min(|x|, 9): tanh(9) rounds to 1 in float32.
        (local.set $a (f32x4.min (f32x4.abs (local.get $x)) (v128.const f32x4 9 9 9 9)))
        (local.set $y (f32x4.mul (local.get $a) (v128.const f32x4 -2 -2 -2 -2)))
        ;; k = round(y / ln2), r = y - k ln2 (ln2 split in two for accuracy).
        (local.set $k (f32x4.nearest (f32x4.mul (local.get $y) (v128.const f32x4 1.44269504 1.44269504 1.44269504 1.44269504))))
        (local.set $r (f32x4.sub (local.get $y) (f32x4.mul (local.get $k) (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375))))
        (local.set $r (f32x4.sub (local.get $r) (f32x4.mul (local.get $k) (v128.const f32x4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4))))
        ;; exp(r) by its Taylor polynomial to degree 7, in Horner form.
        (local.set $q (v128.const f32x4 1.98412698e-4 1.98412698e-4 1.98412698e-4 1.98412698e-4))
        (local.set $q (f32x4.add (f32x4.mul (local.get $q) (local.get $r)) (v128.const f32x4 1.38888889e-3 1.38888889e-3 1.38888889e-3 1.38888889e-3)))
        (local.set $q (f32x4.add (f32x4.mul (local.get $q) (local.get $r)) (v128.const f32x4 8.33333333e-3 8.33333333e-3 8.33333333e-3 8.33333333e-3)))
        (local.set $q (f32x4.add (f32x4.mul (local.get $q) (local.get $r)) (v128.const f32x4 4.16666667e-2 4.16666667e-2 4.16666667e-2 4.16666667e-2)))
        (local.set $q (f32x4.add (f32x4.mul (local.get $q) (local.get $r)) (v128.const f32x4 0.166666667 0.166666667 0.166666667 0.166666667)))
        (local.set $q (f32x4.add (f32x4.mul (local.get $q) (local.get $r)) (v128.const f32x4 0.5 0.5 0.5 0.5)))
        (local.set $q (f32x4.add (f32x4.mul (local.get $q) (local.get $r)) (v128.const f32x4 1 1 1 1)))
        (local.set $q (f32x4.add (f32x4.mul (local.get $q) (local.get $r)) (v128.const f32x4 1 1 1 1)))
        ;; e = q * 2^k, building 2^k from its exponent bits (k >= -26 here).
        (local.set $e (f32x4.mul (local.get $q)
          (i32x4.shl (i32x4.add (i32x4.trunc_sat_f32x4_s (local.get $k)) (v128.const i32x4 127 127 127 127)) (i32.const 23))))
        ;; (1 - e) / (1 + e), then the sign of x.
        (local.set $a (f32x4.div (f32x4.sub (v128.const f32x4 1 1 1 1) (local.get $e)) (f32x4.add (v128.const f32x4 1 1 1 1) (local.get $e))))
        (local.set $a (v128.or (local.get $a) (v128.and (local.get $x) (v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000))))
        ;; Small |x|: x (1 - x^2/3 + 2x^4/15 - 17x^6/315 + 62x^8/2835).
        (local.set $x2 (f32x4.mul (local.get $x) (local.get $x)))
        (local.set $s (v128.const f32x4 2.18694885e-2 2.18694885e-2 2.18694885e-2 2.18694885e-2))
        (local.set $s (f32x4.add (f32x4.mul (local.get $s) (local.get $x2)) (v128.const f32x4 -5.39682540e-2 -5.39682540e-2 -5.39682540e-2 -5.39682540e-2)))
        (local.set $s (f32x4.add (f32x4.mul (local.get $s) (local.get $x2)) (v128.const f32x4 0.133333333 0.133333333 0.133333333 0.133333333)))
        (local.set $s (f32x4.add (f32x4.mul (local.get $s) (local.get $x2)) (v128.const f32x4 -0.333333333 -0.333333333 -0.333333333 -0.333333333)))
        (local.set $s (f32x4.add (f32x4.mul (local.get $s) (local.get $x2)) (v128.const f32x4 1 1 1 1)))
        (local.set $s (f32x4.mul (local.get $s) (local.get $x)))
        (v128.store (local.get $p)
          (v128.bitselect (local.get $s) (local.get $a) (f32x4.lt (f32x4.abs (local.get $x)) (v128.const f32x4 0.2 0.2 0.2 0.2))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $l))))

  ;; y[r, :] += bias for a [rows, cols] matrix.
  (func (export "addBias") (param $y i32) (param $bias i32) (param $rows i32) (param $cols i32)
    (local $r i32) (local $c i32) (local $py i32) (local $end4 i32)
    (local.set $end4 (i32.and (local.get $cols) (i32.const -4)))
    (block $rdone (loop $rl
      (br_if $rdone (i32.ge_s (local.get $r) (local.get $rows)))
      (local.set $py (i32.add (local.get $y) (i32.shl (i32.mul (local.get $r) (local.get $cols)) (i32.const 2))))
      (local.set $c (i32.const 0))
      (block $vdone (loop $vl
        (br_if $vdone (i32.ge_s (local.get $c) (local.get $end4)))
        (v128.store (i32.add (local.get $py) (i32.shl (local.get $c) (i32.const 2)))
          (f32x4.add (v128.load (i32.add (local.get $py) (i32.shl (local.get $c) (i32.const 2))))
                     (v128.load (i32.add (local.get $bias) (i32.shl (local.get $c) (i32.const 2))))))
        (local.set $c (i32.add (local.get $c) (i32.const 4)))
        (br $vl)))
      (block $sdone (loop $sl
        (br_if $sdone (i32.ge_s (local.get $c) (local.get $cols)))
        (f32.store (i32.add (local.get $py) (i32.shl (local.get $c) (i32.const 2)))
          (f32.add (f32.load (i32.add (local.get $py) (i32.shl (local.get $c) (i32.const 2))))
                   (f32.load (i32.add (local.get $bias) (i32.shl (local.get $c) (i32.const 2))))))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $sl)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rl))))

  ;; dst[:] += sum over rows of g[r, :] for a [rows, cols] matrix (bias gradients).
  (func (export "addColumnSums") (param $g i32) (param $dst i32) (param $rows i32) (param $cols i32)
    (local $r i32) (local $pg i32)
    (block $rdone (loop $rl
      (br_if $rdone (i32.ge_s (local.get $r) (local.get $rows)))
      (local.set $pg (i32.add (local.get $g) (i32.shl (i32.mul (local.get $r) (local.get $cols)) (i32.const 2))))
      (call $addRow (local.get $pg) (local.get $dst) (local.get $cols))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rl))))

  ;; dst[0, n) += src[0, n).
  (func $addRow (param $src i32) (param $dst i32) (param $n i32)
    (local $c i32) (local $end4 i32)
    (local.set $end4 (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (local.set $n (i32.shl (local.get $n) (i32.const 2)))
    (block $vdone (loop $vl
      (br_if $vdone (i32.ge_s (local.get $c) (local.get $end4)))
      (v128.store (i32.add (local.get $dst) (local.get $c))
        (f32x4.add (v128.load (i32.add (local.get $dst) (local.get $c))) (v128.load (i32.add (local.get $src) (local.get $c)))))
      (local.set $c (i32.add (local.get $c) (i32.const 16)))
      (br $vl)))
    (block $sdone (loop $sl
      (br_if $sdone (i32.ge_s (local.get $c) (local.get $n)))
      (f32.store (i32.add (local.get $dst) (local.get $c))
        (f32.add (f32.load (i32.add (local.get $dst) (local.get $c))) (f32.load (i32.add (local.get $src) (local.get $c)))))
      (local.set $c (i32.add (local.get $c) (i32.const 4)))
      (br $sl))))

  ;; g *= 1 - h^2 over ceil(n / 4) * 4 floats (tanh's derivative from its output h).
  (func (export "tanhBackward") (param $h i32) (param $g i32) (param $n i32)
    (local $end i32) (local $hv v128)
    (local.set $end (i32.add (local.get $g) (i32.shl (i32.and (i32.add (local.get $n) (i32.const 3)) (i32.const -4)) (i32.const 2))))
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $g) (local.get $end)))
      (local.set $hv (v128.load (local.get $h)))
      (v128.store (local.get $g)
        (f32x4.mul (v128.load (local.get $g)) (f32x4.sub (v128.const f32x4 1 1 1 1) (f32x4.mul (local.get $hv) (local.get $hv)))))
      (local.set $g (i32.add (local.get $g) (i32.const 16)))
      (local.set $h (i32.add (local.get $h) (i32.const 16)))
      (br $l))))

  ;; dst[c, r] = src[r, c] for a [rows, cols] matrix.
  (func (export "transpose") (param $src i32) (param $dst i32) (param $rows i32) (param $cols i32)
    (local $r i32) (local $c i32) (local $ps i32) (local $pd i32) (local $rowD i32)
    (local.set $rowD (i32.shl (local.get $rows) (i32.const 2)))
    (block $rdone
      (loop $rl
        (br_if $rdone (i32.ge_s (local.get $r) (local.get $rows)))
        (local.set $ps (i32.add (local.get $src) (i32.shl (i32.mul (local.get $r) (local.get $cols)) (i32.const 2))))
        (local.set $pd (i32.add (local.get $dst) (i32.shl (local.get $r) (i32.const 2))))
        (local.set $c (i32.const 0))
        (block $cdone
          (loop $cl
            (br_if $cdone (i32.ge_s (local.get $c) (local.get $cols)))
            (f32.store (local.get $pd) (f32.load (local.get $ps)))
            (local.set $ps (i32.add (local.get $ps) (i32.const 4)))
            (local.set $pd (i32.add (local.get $pd) (local.get $rowD)))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $cl)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rl))))

  ;; 4 rows of A by 8 columns of B/C.
  (func $k4x8 (param $pa i32) (param $pb i32) (param $pc i32) (param $K i32) (param $rowA i32) (param $rowB i32) (param $rowC i32) (param $acc i32)
    (local $k i32) (local $a v128) (local $b0 v128) (local $b1 v128) (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128) (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local $pai i32) (local $pbk i32)
    (local.set $pbk (local.get $pb))
    (block $done (loop $l
      (br_if $done (i32.ge_s (local.get $k) (local.get $K)))
      (local.set $b0 (v128.load offset=0 (local.get $pbk)))
      (local.set $b1 (v128.load offset=16 (local.get $pbk)))
      (local.set $a (f32x4.splat (f32.load (i32.add (local.get $pa) (i32.shl (local.get $k) (i32.const 2))))))
      (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $a) (local.get $b0))))
      (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $a) (local.get $b1))))
      (local.set $a (f32x4.splat (f32.load (i32.add (local.get $pa) (i32.add (i32.shl (local.get $k) (i32.const 2)) (i32.mul (i32.const 1) (local.get $rowA)))))))
      (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $a) (local.get $b0))))
      (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $a) (local.get $b1))))
      (local.set $a (f32x4.splat (f32.load (i32.add (local.get $pa) (i32.add (i32.shl (local.get $k) (i32.const 2)) (i32.mul (i32.const 2) (local.get $rowA)))))))
      (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $a) (local.get $b0))))
      (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $a) (local.get $b1))))
      (local.set $a (f32x4.splat (f32.load (i32.add (local.get $pa) (i32.add (i32.shl (local.get $k) (i32.const 2)) (i32.mul (i32.const 3) (local.get $rowA)))))))
      (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $a) (local.get $b0))))
      (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $a) (local.get $b1))))
      (local.set $pbk (i32.add (local.get $pbk) (local.get $rowB)))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $l)))
    (local.set $pai (local.get $pc))
    (if (local.get $acc) (then (v128.store offset=0 (local.get $pai) (f32x4.add (v128.load offset=0 (local.get $pai)) (local.get $c00)))) (else (v128.store offset=0 (local.get $pai) (local.get $c00))))
    (if (local.get $acc) (then (v128.store offset=16 (local.get $pai) (f32x4.add (v128.load offset=16 (local.get $pai)) (local.get $c01)))) (else (v128.store offset=16 (local.get $pai) (local.get $c01))))
    (local.set $pai (i32.add (local.get $pc) (i32.mul (i32.const 1) (local.get $rowC))))
    (if (local.get $acc) (then (v128.store offset=0 (local.get $pai) (f32x4.add (v128.load offset=0 (local.get $pai)) (local.get $c10)))) (else (v128.store offset=0 (local.get $pai) (local.get $c10))))
    (if (local.get $acc) (then (v128.store offset=16 (local.get $pai) (f32x4.add (v128.load offset=16 (local.get $pai)) (local.get $c11)))) (else (v128.store offset=16 (local.get $pai) (local.get $c11))))
    (local.set $pai (i32.add (local.get $pc) (i32.mul (i32.const 2) (local.get $rowC))))
    (if (local.get $acc) (then (v128.store offset=0 (local.get $pai) (f32x4.add (v128.load offset=0 (local.get $pai)) (local.get $c20)))) (else (v128.store offset=0 (local.get $pai) (local.get $c20))))
    (if (local.get $acc) (then (v128.store offset=16 (local.get $pai) (f32x4.add (v128.load offset=16 (local.get $pai)) (local.get $c21)))) (else (v128.store offset=16 (local.get $pai) (local.get $c21))))
    (local.set $pai (i32.add (local.get $pc) (i32.mul (i32.const 3) (local.get $rowC))))
    (if (local.get $acc) (then (v128.store offset=0 (local.get $pai) (f32x4.add (v128.load offset=0 (local.get $pai)) (local.get $c30)))) (else (v128.store offset=0 (local.get $pai) (local.get $c30))))
    (if (local.get $acc) (then (v128.store offset=16 (local.get $pai) (f32x4.add (v128.load offset=16 (local.get $pai)) (local.get $c31)))) (else (v128.store offset=16 (local.get $pai) (local.get $c31))))
  )

  ;; 4 rows of A by 4 columns of B/C.
  (func $k4x4 (param $pa i32) (param $pb i32) (param $pc i32) (param $K i32) (param $rowA i32) (param $rowB i32) (param $rowC i32) (param $acc i32)
    (local $k i32) (local $a v128) (local $b0 v128) (local $c00 v128) (local $c10 v128) (local $c20 v128) (local $c30 v128)
    (local $pai i32) (local $pbk i32)
    (local.set $pbk (local.get $pb))
    (block $done (loop $l
      (br_if $done (i32.ge_s (local.get $k) (local.get $K)))
      (local.set $b0 (v128.load offset=0 (local.get $pbk)))
      (local.set $a (f32x4.splat (f32.load (i32.add (local.get $pa) (i32.shl (local.get $k) (i32.const 2))))))
      (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $a) (local.get $b0))))
      (local.set $a (f32x4.splat (f32.load (i32.add (local.get $pa) (i32.add (i32.shl (local.get $k) (i32.const 2)) (i32.mul (i32.const 1) (local.get $rowA)))))))
      (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $a) (local.get $b0))))
      (local.set $a (f32x4.splat (f32.load (i32.add (local.get $pa) (i32.add (i32.shl (local.get $k) (i32.const 2)) (i32.mul (i32.const 2) (local.get $rowA)))))))
      (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $a) (local.get $b0))))
      (local.set $a (f32x4.splat (f32.load (i32.add (local.get $pa) (i32.add (i32.shl (local.get $k) (i32.const 2)) (i32.mul (i32.const 3) (local.get $rowA)))))))
      (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $a) (local.get $b0))))
      (local.set $pbk (i32.add (local.get $pbk) (local.get $rowB)))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $l)))
    (local.set $pai (local.get $pc))
    (if (local.get $acc) (then (v128.store offset=0 (local.get $pai) (f32x4.add (v128.load offset=0 (local.get $pai)) (local.get $c00)))) (else (v128.store offset=0 (local.get $pai) (local.get $c00))))
    (local.set $pai (i32.add (local.get $pc) (i32.mul (i32.const 1) (local.get $rowC))))
    (if (local.get $acc) (then (v128.store offset=0 (local.get $pai) (f32x4.add (v128.load offset=0 (local.get $pai)) (local.get $c10)))) (else (v128.store offset=0 (local.get $pai) (local.get $c10))))
    (local.set $pai (i32.add (local.get $pc) (i32.mul (i32.const 2) (local.get $rowC))))
    (if (local.get $acc) (then (v128.store offset=0 (local.get $pai) (f32x4.add (v128.load offset=0 (local.get $pai)) (local.get $c20)))) (else (v128.store offset=0 (local.get $pai) (local.get $c20))))
    (local.set $pai (i32.add (local.get $pc) (i32.mul (i32.const 3) (local.get $rowC))))
    (if (local.get $acc) (then (v128.store offset=0 (local.get $pai) (f32x4.add (v128.load offset=0 (local.get $pai)) (local.get $c30)))) (else (v128.store offset=0 (local.get $pai) (local.get $c30))))
  )

  ;; 1 rows of A by 8 columns of B/C.
  (func $k1x8 (param $pa i32) (param $pb i32) (param $pc i32) (param $K i32) (param $rowA i32) (param $rowB i32) (param $rowC i32) (param $acc i32)
    (local $k i32) (local $a v128) (local $b0 v128) (local $b1 v128) (local $c00 v128) (local $c01 v128)
    (local $pai i32) (local $pbk i32)
    (local.set $pbk (local.get $pb))
    (block $done (loop $l
      (br_if $done (i32.ge_s (local.get $k) (local.get $K)))
      (local.set $b0 (v128.load offset=0 (local.get $pbk)))
      (local.set $b1 (v128.load offset=16 (local.get $pbk)))
      (local.set $a (f32x4.splat (f32.load (i32.add (local.get $pa) (i32.shl (local.get $k) (i32.const 2))))))
      (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $a) (local.get $b0))))
      (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $a) (local.get $b1))))
      (local.set $pbk (i32.add (local.get $pbk) (local.get $rowB)))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $l)))
    (local.set $pai (local.get $pc))
    (if (local.get $acc) (then (v128.store offset=0 (local.get $pai) (f32x4.add (v128.load offset=0 (local.get $pai)) (local.get $c00)))) (else (v128.store offset=0 (local.get $pai) (local.get $c00))))
    (if (local.get $acc) (then (v128.store offset=16 (local.get $pai) (f32x4.add (v128.load offset=16 (local.get $pai)) (local.get $c01)))) (else (v128.store offset=16 (local.get $pai) (local.get $c01))))
  )

  ;; 1 rows of A by 4 columns of B/C.
  (func $k1x4 (param $pa i32) (param $pb i32) (param $pc i32) (param $K i32) (param $rowA i32) (param $rowB i32) (param $rowC i32) (param $acc i32)
    (local $k i32) (local $a v128) (local $b0 v128) (local $c00 v128)
    (local $pai i32) (local $pbk i32)
    (local.set $pbk (local.get $pb))
    (block $done (loop $l
      (br_if $done (i32.ge_s (local.get $k) (local.get $K)))
      (local.set $b0 (v128.load offset=0 (local.get $pbk)))
      (local.set $a (f32x4.splat (f32.load (i32.add (local.get $pa) (i32.shl (local.get $k) (i32.const 2))))))
      (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $a) (local.get $b0))))
      (local.set $pbk (i32.add (local.get $pbk) (local.get $rowB)))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $l)))
    (local.set $pai (local.get $pc))
    (if (local.get $acc) (then (v128.store offset=0 (local.get $pai) (f32x4.add (v128.load offset=0 (local.get $pai)) (local.get $c00)))) (else (v128.store offset=0 (local.get $pai) (local.get $c00))))
  )

  ;; One row of A by one column of B/C, scalar.
  (func $k1x1 (param $pa i32) (param $pb i32) (param $pc i32) (param $K i32) (param $rowB i32) (param $acc i32)
    (local $k i32) (local $s f32)
    (block $done (loop $l
      (br_if $done (i32.ge_s (local.get $k) (local.get $K)))
      (local.set $s (f32.add (local.get $s) (f32.mul (f32.load (i32.add (local.get $pa) (i32.shl (local.get $k) (i32.const 2)))) (f32.load (local.get $pb)))))
      (local.set $pb (i32.add (local.get $pb) (local.get $rowB)))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $l)))
    (call $put (local.get $pc) (local.get $s) (local.get $acc)))

  ;; C[M, N] (+)= A[M, K] B[K, N], all row-major float32 at byte offsets a, b, c. Register
  ;; blocks of 4 rows by 8 columns: each loaded B vector and broadcast A value feeds several
  ;; multiply-adds, and C is written once per block.
  (func (export "gemmAB") (param $a i32) (param $b i32) (param $c i32) (param $M i32) (param $N i32) (param $K i32) (param $acc i32)
    (local $m i32) (local $n i32) (local $rowA i32) (local $rowB i32) (local $pa i32) (local $pc i32) (local $rows i32)
    (local.set $rowA (i32.shl (local.get $K) (i32.const 2)))
    (local.set $rowB (i32.shl (local.get $N) (i32.const 2)))
    (block $mdone (loop $ml
      (br_if $mdone (i32.ge_s (local.get $m) (local.get $M)))
      ;; 4 rows at a time while they last, then single rows.
      (local.set $rows (select (i32.const 4) (i32.const 1) (i32.le_s (i32.add (local.get $m) (i32.const 4)) (local.get $M))))
      (local.set $pa (i32.add (local.get $a) (i32.mul (local.get $m) (local.get $rowA))))
      (local.set $pc (i32.add (local.get $c) (i32.mul (local.get $m) (local.get $rowB))))
      (local.set $n (i32.const 0))
      (block $n8done (loop $n8
        (br_if $n8done (i32.gt_s (i32.add (local.get $n) (i32.const 8)) (local.get $N)))
        (if (i32.eq (local.get $rows) (i32.const 4))
          (then (call $k4x8 (local.get $pa) (i32.add (local.get $b) (i32.shl (local.get $n) (i32.const 2))) (i32.add (local.get $pc) (i32.shl (local.get $n) (i32.const 2))) (local.get $K) (local.get $rowA) (local.get $rowB) (local.get $rowB) (local.get $acc)))
          (else (call $k1x8 (local.get $pa) (i32.add (local.get $b) (i32.shl (local.get $n) (i32.const 2))) (i32.add (local.get $pc) (i32.shl (local.get $n) (i32.const 2))) (local.get $K) (local.get $rowA) (local.get $rowB) (local.get $rowB) (local.get $acc))))
        (local.set $n (i32.add (local.get $n) (i32.const 8)))
        (br $n8)))
      (if (i32.le_s (i32.add (local.get $n) (i32.const 4)) (local.get $N))
        (then
          (if (i32.eq (local.get $rows) (i32.const 4))
            (then (call $k4x4 (local.get $pa) (i32.add (local.get $b) (i32.shl (local.get $n) (i32.const 2))) (i32.add (local.get $pc) (i32.shl (local.get $n) (i32.const 2))) (local.get $K) (local.get $rowA) (local.get $rowB) (local.get $rowB) (local.get $acc)))
            (else (call $k1x4 (local.get $pa) (i32.add (local.get $b) (i32.shl (local.get $n) (i32.const 2))) (i32.add (local.get $pc) (i32.shl (local.get $n) (i32.const 2))) (local.get $K) (local.get $rowA) (local.get $rowB) (local.get $rowB) (local.get $acc))))
          (local.set $n (i32.add (local.get $n) (i32.const 4)))))
      ;; Leftover columns, one at a time for each of the block's rows.
      (block $n1done (loop $n1
        (br_if $n1done (i32.ge_s (local.get $n) (local.get $N)))
        (call $k1x1 (local.get $pa) (i32.add (local.get $b) (i32.shl (local.get $n) (i32.const 2))) (i32.add (local.get $pc) (i32.shl (local.get $n) (i32.const 2))) (local.get $K) (local.get $rowB) (local.get $acc))
        (if (i32.eq (local.get $rows) (i32.const 4))
          (then
            (call $k1x1 (i32.add (local.get $pa) (local.get $rowA)) (i32.add (local.get $b) (i32.shl (local.get $n) (i32.const 2))) (i32.add (i32.add (local.get $pc) (local.get $rowB)) (i32.shl (local.get $n) (i32.const 2))) (local.get $K) (local.get $rowB) (local.get $acc))
            (call $k1x1 (i32.add (local.get $pa) (i32.shl (local.get $rowA) (i32.const 1))) (i32.add (local.get $b) (i32.shl (local.get $n) (i32.const 2))) (i32.add (i32.add (local.get $pc) (i32.shl (local.get $rowB) (i32.const 1))) (i32.shl (local.get $n) (i32.const 2))) (local.get $K) (local.get $rowB) (local.get $acc))
            (call $k1x1 (i32.add (local.get $pa) (i32.mul (local.get $rowA) (i32.const 3))) (i32.add (local.get $b) (i32.shl (local.get $n) (i32.const 2))) (i32.add (i32.add (local.get $pc) (i32.mul (local.get $rowB) (i32.const 3))) (i32.shl (local.get $n) (i32.const 2))) (local.get $K) (local.get $rowB) (local.get $acc))))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $n1)))
      (local.set $m (i32.add (local.get $m) (local.get $rows)))
      (br $ml))))

  ;; C[M, N] (+)= A[M, K] B[N, K]^T, all row-major float32 at byte offsets a, b, c.
  (func (export "gemmABt") (param $a i32) (param $b i32) (param $c i32) (param $M i32) (param $N i32) (param $K i32) (param $acc i32)
    (local $m i32) (local $n i32) (local $rowA i32) (local $rowC i32) (local $pa i32) (local $pc i32)
    (local.set $rowA (i32.shl (local.get $K) (i32.const 2)))
    (local.set $rowC (i32.shl (local.get $N) (i32.const 2)))
    ;; Pairs of A rows.
    (block $mdone
      (loop $ml
        (br_if $mdone (i32.ge_s (i32.add (local.get $m) (i32.const 1)) (local.get $M)))
        (local.set $pa (i32.add (local.get $a) (i32.mul (local.get $m) (local.get $rowA))))
        (local.set $pc (i32.add (local.get $c) (i32.mul (local.get $m) (local.get $rowC))))
        (local.set $n (i32.const 0))
        (block $ndone
          (loop $nl
            (br_if $ndone (i32.ge_s (i32.add (local.get $n) (i32.const 3)) (local.get $N)))
            (call $block24 (local.get $pa) (i32.add (local.get $b) (i32.mul (local.get $n) (local.get $rowA))) (local.get $K)
              (i32.add (local.get $pc) (i32.shl (local.get $n) (i32.const 2)))
              (i32.add (i32.add (local.get $pc) (local.get $rowC)) (i32.shl (local.get $n) (i32.const 2)))
              (local.get $acc))
            (local.set $n (i32.add (local.get $n) (i32.const 4)))
            (br $nl)))
        ;; Remaining columns, one dot product each.
        (block $rdone
          (loop $rl
            (br_if $rdone (i32.ge_s (local.get $n) (local.get $N)))
            (call $put (i32.add (local.get $pc) (i32.shl (local.get $n) (i32.const 2)))
              (call $dot (local.get $pa) (i32.add (local.get $b) (i32.mul (local.get $n) (local.get $rowA))) (local.get $K)) (local.get $acc))
            (call $put (i32.add (i32.add (local.get $pc) (local.get $rowC)) (i32.shl (local.get $n) (i32.const 2)))
              (call $dot (i32.add (local.get $pa) (local.get $rowA)) (i32.add (local.get $b) (i32.mul (local.get $n) (local.get $rowA))) (local.get $K)) (local.get $acc))
            (local.set $n (i32.add (local.get $n) (i32.const 1)))
            (br $rl)))
        (local.set $m (i32.add (local.get $m) (i32.const 2)))
        (br $ml)))
    ;; A last odd row.
    (if (i32.lt_s (local.get $m) (local.get $M))
      (then
        (local.set $pa (i32.add (local.get $a) (i32.mul (local.get $m) (local.get $rowA))))
        (local.set $pc (i32.add (local.get $c) (i32.mul (local.get $m) (local.get $rowC))))
        (local.set $n (i32.const 0))
        (block $odone
          (loop $ol
            (br_if $odone (i32.ge_s (local.get $n) (local.get $N)))
            (call $put (i32.add (local.get $pc) (i32.shl (local.get $n) (i32.const 2)))
              (call $dot (local.get $pa) (i32.add (local.get $b) (i32.mul (local.get $n) (local.get $rowA))) (local.get $K)) (local.get $acc))
            (local.set $n (i32.add (local.get $n) (i32.const 1)))
            (br $ol))))))

  ;; Optimizer kernels. These repeat the JS loops of adam.ts and params.ts operation for
  ;; operation in float64 (f32 values promoted on load, rounded to f32 on store), so results
  ;; are bit-identical: every element is independent, there is no fused multiply-add, and
  ;; sqrt and division are correctly rounded in both.

  ;; Adam over n elements: float32 p and g, float64 moments m and v; c1 = 1 - beta1 and
  ;; c2 = 1 - beta2 as JS computes them. Two elements per iteration in f64x2 lanes.
  (func (export "adamStep") (param $p i32) (param $g i32) (param $m i32) (param $v i32) (param $n i32)
    (param $beta1 f64) (param $c1 f64) (param $beta2 f64) (param $c2 f64)
    (param $stepSize f64) (param $sqrtBc2 f64) (param $eps f64)
    (local $end2 i32) (local $end i32)
    (local $B1 v128) (local $C1 v128) (local $B2 v128) (local $C2 v128) (local $SS v128) (local $SQ v128) (local $EPS v128)
    (local $gv v128) (local $mv v128) (local $vv v128)
    (local $gs f64) (local $ms f64) (local $vs f64)
    (local.set $B1 (f64x2.splat (local.get $beta1)))
    (local.set $C1 (f64x2.splat (local.get $c1)))
    (local.set $B2 (f64x2.splat (local.get $beta2)))
    (local.set $C2 (f64x2.splat (local.get $c2)))
    (local.set $SS (f64x2.splat (local.get $stepSize)))
    (local.set $SQ (f64x2.splat (local.get $sqrtBc2)))
    (local.set $EPS (f64x2.splat (local.get $eps)))
    ;; Where p's pairs end, and where p ends.
    (local.set $end2 (i32.add (local.get $p) (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 2))))
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $p) (local.get $end2)))
      (local.set $gv (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $g))))
      ;; m = beta1 m + (1 - beta1) g
      (local.set $mv (f64x2.add (f64x2.mul (local.get $B1) (v128.load (local.get $m))) (f64x2.mul (local.get $C1) (local.get $gv))))
      ;; v = beta2 v + ((1 - beta2) g) g, associating left as JS does
      (local.set $vv (f64x2.add (f64x2.mul (local.get $B2) (v128.load (local.get $v)))
        (f64x2.mul (f64x2.mul (local.get $C2) (local.get $gv)) (local.get $gv))))
      (v128.store (local.get $m) (local.get $mv))
      (v128.store (local.get $v) (local.get $vv))
      ;; p -= (stepSize m) / (sqrt(v) / sqrtBc2 + eps)
      (v128.store64_lane 0 (local.get $p)
        (f32x4.demote_f64x2_zero
          (f64x2.sub (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $p)))
            (f64x2.div (f64x2.mul (local.get $SS) (local.get $mv))
              (f64x2.add (f64x2.div (f64x2.sqrt (local.get $vv)) (local.get $SQ)) (local.get $EPS))))))
      (local.set $p (i32.add (local.get $p) (i32.const 8)))
      (local.set $g (i32.add (local.get $g) (i32.const 8)))
      (local.set $m (i32.add (local.get $m) (i32.const 16)))
      (local.set $v (i32.add (local.get $v) (i32.const 16)))
      (br $l)))
    ;; The odd last element, if any.
    (if (i32.lt_u (local.get $p) (local.get $end))
      (then
        (local.set $gs (f64.promote_f32 (f32.load (local.get $g))))
        (local.set $ms (f64.add (f64.mul (local.get $beta1) (f64.load (local.get $m))) (f64.mul (local.get $c1) (local.get $gs))))
        (local.set $vs (f64.add (f64.mul (local.get $beta2) (f64.load (local.get $v)))
          (f64.mul (f64.mul (local.get $c2) (local.get $gs)) (local.get $gs))))
        (f64.store (local.get $m) (local.get $ms))
        (f64.store (local.get $v) (local.get $vs))
        (f32.store (local.get $p)
          (f32.demote_f64
            (f64.sub (f64.promote_f32 (f32.load (local.get $p)))
              (f64.div (f64.mul (local.get $stepSize) (local.get $ms))
                (f64.add (f64.div (f64.sqrt (local.get $vs)) (local.get $sqrtBc2)) (local.get $eps)))))))))

  ;; s + sum of g[i]^2 over n float32 values, in float64 and strictly in order (the rounding of
  ;; a float64 sum depends on its order, so no lanes here), four elements per iteration.
  (func (export "sumSquares") (param $g i32) (param $n i32) (param $s f64) (result f64)
    (local $end4 i32) (local $end i32) (local $x f64)
    (local.set $end4 (i32.add (local.get $g) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (local.set $end (i32.add (local.get $g) (i32.shl (local.get $n) (i32.const 2))))
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $g) (local.get $end4)))
      (local.set $x (f64.promote_f32 (f32.load offset=0 (local.get $g))))
      (local.set $s (f64.add (local.get $s) (f64.mul (local.get $x) (local.get $x))))
      (local.set $x (f64.promote_f32 (f32.load offset=4 (local.get $g))))
      (local.set $s (f64.add (local.get $s) (f64.mul (local.get $x) (local.get $x))))
      (local.set $x (f64.promote_f32 (f32.load offset=8 (local.get $g))))
      (local.set $s (f64.add (local.get $s) (f64.mul (local.get $x) (local.get $x))))
      (local.set $x (f64.promote_f32 (f32.load offset=12 (local.get $g))))
      (local.set $s (f64.add (local.get $s) (f64.mul (local.get $x) (local.get $x))))
      (local.set $g (i32.add (local.get $g) (i32.const 16)))
      (br $l)))
    (block $done1 (loop $l1
      (br_if $done1 (i32.ge_u (local.get $g) (local.get $end)))
      (local.set $x (f64.promote_f32 (f32.load (local.get $g))))
      (local.set $s (f64.add (local.get $s) (f64.mul (local.get $x) (local.get $x))))
      (local.set $g (i32.add (local.get $g) (i32.const 4)))
      (br $l1)))
    (local.get $s))

  ;; g[i] = f32(f64(g[i]) * scale) over n float32 values: JS's `g[i] *= scale` on a Float32Array.
  (func (export "scaleF64") (param $g i32) (param $n i32) (param $scale f64)
    (local $end4 i32) (local $end i32) (local $x v128) (local $S v128)
    (local.set $S (f64x2.splat (local.get $scale)))
    (local.set $end4 (i32.add (local.get $g) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (local.set $end (i32.add (local.get $g) (i32.shl (local.get $n) (i32.const 2))))
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $g) (local.get $end4)))
      (local.set $x (v128.load (local.get $g)))
      ;; Lanes 0-1 and 2-3 promoted, scaled and demoted, then put back together.
      (v128.store (local.get $g)
        (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
          (f32x4.demote_f64x2_zero (f64x2.mul (f64x2.promote_low_f32x4 (local.get $x)) (local.get $S)))
          (f32x4.demote_f64x2_zero (f64x2.mul
            (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $x) (local.get $x)))
            (local.get $S)))))
      (local.set $g (i32.add (local.get $g) (i32.const 16)))
      (br $l)))
    (block $done1 (loop $l1
      (br_if $done1 (i32.ge_u (local.get $g) (local.get $end)))
      (f32.store (local.get $g) (f32.demote_f64 (f64.mul (f64.promote_f32 (f32.load (local.get $g))) (local.get $scale))))
      (local.set $g (i32.add (local.get $g) (i32.const 4)))
      (br $l1))))

  ;; dst[0, n) += src[0, n) in float32, which equals JS's float64 sum rounded to float32.
  (export "addInto" (func $addRow))

  ;; Convolution kernels (conv.ts). Images are HWC per sample: x[((s * H + y) * W + x) * C + c].
  ;; A patch row of `cols` holds one output position's receptive field in (ky, kx, c) order,
  ;; K = kh * kw * C floats, so cols [n * outH * outW, K] times W^T [K, outC] is the HWC output.

  ;; dst[0, n) = src[0, n).
  (func $copyRun (param $src i32) (param $dst i32) (param $n i32)
    (local $c i32) (local $end4 i32)
    (local.set $end4 (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (local.set $n (i32.shl (local.get $n) (i32.const 2)))
    (block $vdone (loop $vl
      (br_if $vdone (i32.ge_s (local.get $c) (local.get $end4)))
      (v128.store (i32.add (local.get $dst) (local.get $c)) (v128.load (i32.add (local.get $src) (local.get $c))))
      (local.set $c (i32.add (local.get $c) (i32.const 16)))
      (br $vl)))
    (block $sdone (loop $sl
      (br_if $sdone (i32.ge_s (local.get $c) (local.get $n)))
      (f32.store (i32.add (local.get $dst) (local.get $c)) (f32.load (i32.add (local.get $src) (local.get $c))))
      (local.set $c (i32.add (local.get $c) (i32.const 4)))
      (br $sl))))

  ;; dst[0, n) = 0.
  (func $zeroRun (param $dst i32) (param $n i32)
    (local $c i32) (local $end4 i32)
    (local.set $end4 (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (local.set $n (i32.shl (local.get $n) (i32.const 2)))
    (block $vdone (loop $vl
      (br_if $vdone (i32.ge_s (local.get $c) (local.get $end4)))
      (v128.store (i32.add (local.get $dst) (local.get $c)) (v128.const i32x4 0 0 0 0))
      (local.set $c (i32.add (local.get $c) (i32.const 16)))
      (br $vl)))
    (block $sdone (loop $sl
      (br_if $sdone (i32.ge_s (local.get $c) (local.get $n)))
      (f32.store (i32.add (local.get $dst) (local.get $c)) (f32.const 0))
      (local.set $c (i32.add (local.get $c) (i32.const 4)))
      (br $sl))))

  ;; Walks every (sample, oy, ox, ky) of n images [H, W, C] under a kh x kw kernel with the
  ;; given stride and zero padding: for each, the kw * C floats of patch row ky are one run of
  ;; the image row iy (clipped at the borders, whose cells are zero). $dir = 0 (im2col): copy
  ;; the run into cols and zero the clipped cells. $dir = 1 (col2im): zero x first, then add
  ;; each run of cols into x, in this same order.
  (func $patches (param $x i32) (param $cols i32) (param $n i32) (param $H i32) (param $W i32) (param $C i32)
    (param $kh i32) (param $kw i32) (param $stride i32) (param $pad i32) (param $outH i32) (param $outW i32) (param $dir i32)
    (local $s i32) (local $oy i32) (local $ox i32) (local $ky i32) (local $iy i32) (local $ix0 i32)
    (local $lo i32) (local $hi i32) (local $run i32) (local $px i32) (local $pd i32) (local $img i32) (local $src i32)
    (local.set $run (i32.mul (local.get $kw) (local.get $C)))
    (local.set $img (i32.shl (i32.mul (i32.mul (local.get $H) (local.get $W)) (local.get $C)) (i32.const 2)))
    (if (local.get $dir) (then (call $zeroRun (local.get $x) (i32.mul (local.get $n) (i32.shr_u (local.get $img) (i32.const 2))))))
    (local.set $pd (local.get $cols))
    (local.set $px (local.get $x))
    (block $sdone (loop $sl
      (br_if $sdone (i32.ge_s (local.get $s) (local.get $n)))
      (local.set $oy (i32.const 0))
      (block $ydone (loop $yl
        (br_if $ydone (i32.ge_s (local.get $oy) (local.get $outH)))
        (local.set $ox (i32.const 0))
        (block $xdone (loop $xl
          (br_if $xdone (i32.ge_s (local.get $ox) (local.get $outW)))
          (local.set $ix0 (i32.sub (i32.mul (local.get $ox) (local.get $stride)) (local.get $pad)))
          ;; Kernel columns kx in [lo, hi) fall inside the image.
          (local.set $lo (select (i32.sub (i32.const 0) (local.get $ix0)) (i32.const 0) (i32.lt_s (local.get $ix0) (i32.const 0))))
          (local.set $hi (select (local.get $kw) (i32.sub (local.get $W) (local.get $ix0)) (i32.le_s (local.get $kw) (i32.sub (local.get $W) (local.get $ix0)))))
          ;; Padding wider than the kernel can leave no column inside: then lo = hi = kw.
          (if (i32.gt_s (local.get $lo) (local.get $kw)) (then (local.set $lo (local.get $kw))))
          (if (i32.lt_s (local.get $hi) (local.get $lo)) (then (local.set $hi (local.get $lo))))
          (local.set $ky (i32.const 0))
          (block $kdone (loop $kl
            (br_if $kdone (i32.ge_s (local.get $ky) (local.get $kh)))
            (local.set $iy (i32.add (i32.sub (i32.mul (local.get $oy) (local.get $stride)) (local.get $pad)) (local.get $ky)))
            (if (i32.or (i32.lt_s (local.get $iy) (i32.const 0)) (i32.ge_s (local.get $iy) (local.get $H)))
              (then (if (i32.eqz (local.get $dir)) (then (call $zeroRun (local.get $pd) (local.get $run)))))
              (else
                ;; Byte address of image cell (iy, ix0 + lo).
                (local.set $src (i32.add (local.get $px)
                  (i32.shl (i32.mul (i32.add (i32.mul (local.get $iy) (local.get $W)) (i32.add (local.get $ix0) (local.get $lo))) (local.get $C)) (i32.const 2))))
                (if (local.get $dir)
                  (then
                    (call $addRow (i32.add (local.get $pd) (i32.shl (i32.mul (local.get $lo) (local.get $C)) (i32.const 2)))
                      (local.get $src) (i32.mul (i32.sub (local.get $hi) (local.get $lo)) (local.get $C))))
                  (else
                    (call $zeroRun (local.get $pd) (i32.mul (local.get $lo) (local.get $C)))
                    (call $copyRun (local.get $src) (i32.add (local.get $pd) (i32.shl (i32.mul (local.get $lo) (local.get $C)) (i32.const 2)))
                      (i32.mul (i32.sub (local.get $hi) (local.get $lo)) (local.get $C)))
                    (call $zeroRun (i32.add (local.get $pd) (i32.shl (i32.mul (local.get $hi) (local.get $C)) (i32.const 2)))
                      (i32.mul (i32.sub (local.get $kw) (local.get $hi)) (local.get $C)))))))
            (local.set $pd (i32.add (local.get $pd) (i32.shl (local.get $run) (i32.const 2))))
            (local.set $ky (i32.add (local.get $ky) (i32.const 1)))
            (br $kl)))
          (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
          (br $xl)))
        (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
        (br $yl)))
      (local.set $px (i32.add (local.get $px) (local.get $img)))
      (local.set $s (i32.add (local.get $s) (i32.const 1)))
      (br $sl))))

  ;; cols[n * outH * outW, kh * kw * C] = the patches of n images x [H, W, C].
  (func (export "im2col") (param $x i32) (param $cols i32) (param $n i32) (param $H i32) (param $W i32) (param $C i32)
    (param $kh i32) (param $kw i32) (param $stride i32) (param $pad i32) (param $outH i32) (param $outW i32)
    (call $patches (local.get $x) (local.get $cols) (local.get $n) (local.get $H) (local.get $W) (local.get $C)
      (local.get $kh) (local.get $kw) (local.get $stride) (local.get $pad) (local.get $outH) (local.get $outW) (i32.const 0)))

  ;; x[n, H, W, C] = the sum over patches of each cell's entries of cols (im2col's adjoint).
  (func (export "col2im") (param $cols i32) (param $x i32) (param $n i32) (param $H i32) (param $W i32) (param $C i32)
    (param $kh i32) (param $kw i32) (param $stride i32) (param $pad i32) (param $outH i32) (param $outW i32)
    (call $patches (local.get $x) (local.get $cols) (local.get $n) (local.get $H) (local.get $W) (local.get $C)
      (local.get $kh) (local.get $kw) (local.get $stride) (local.get $pad) (local.get $outH) (local.get $outW) (i32.const 1)))
)

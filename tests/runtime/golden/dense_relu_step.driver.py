def run(args, B):
    # placeholder 'x' float32[None, 4]
    v0 = np.ascontiguousarray(args[0], dtype=np.float32)
    if v0.ndim != 2 or v0.shape[1] != 4:
        feed_error(P_v0, args[0])
    # variable 'w' float32[4, 3]
    v1 = np.ascontiguousarray(S_v1.value)
    # gemm2: BLAS float32[None, 3]
    v2_out = B[0]
    if v2_out.shape != (v0.shape[0], v1.shape[1]):
        v2_out = B[0] = np.empty((v0.shape[0], v1.shape[1]), np.float32)
    v2 = gemm(v0, v1, v2_out)
    # variable 'b' float32[3]
    v3 = np.ascontiguousarray(S_v3.value)
    # group4_fused4_fused6_fused12_fused15: 4 regions in one kernel
    # v4: add, maximum, mul, mean, greater_equal
    v4_shape = (v2.shape[0], 3, )
    v4_0 = v2    # written over its input
    v4_1 = B[1]
    if v4_1.shape != v4_shape:
        v4_1 = B[1] = np.empty(v4_shape, np.float32)
    v4_2 = np.empty(1, np.float32)
    v4_3 = B[2]
    if v4_3.shape != v4_shape:
        v4_3 = B[2] = np.empty(v4_shape, np.bool)
    v4 = (v4_0, v4_1, v4_2.reshape(()), v4_3,)
    v5 = v4[2]
    # v6: broadcast_like
    v6_shape = ()
    v6_0 = B[3]
    if v6_0.shape != v6_shape:
        v6_0 = B[3] = np.empty(v6_shape, np.float32)
    v6 = v6_0
    # expand_dims[axis=0] float32[1]
    v7 = np.expand_dims(v6, 0)
    # expand_dims[axis=1] float32[1, 1]
    v8 = np.expand_dims(v7, 1)
    v9 = v4[1]
    # shape_of int32[2]
    v10 = np.array(v9.shape, dtype=np.int32)
    # take[indices=(0, 1)] int32[2]
    v11 = np.take(v10, [0, 1], axis=0)
    # v12: cast, prod
    v12_shape = (2, )
    v12_0 = np.empty(1, np.float32)
    v12 = v12_0.reshape(())
    v13 = v4[0]
    v14 = v4[3]
    # v15: div, broadcast_like, mul, mul, add, where, sum
    v15_shape = (v9.shape[0], 3, )
    v15_0 = v9    # written over its input
    v15_1 = np.empty((1, v15_shape[1],), np.float32)
    v15 = (v15_0, v15_1.reshape((v15_1.shape[1], )),)
    v16 = v15[0]
    try:
        K1(v4_shape[0], v4_shape[1], v2.reshape(-1), v3.reshape(-1), v4_1.reshape(-1), v4_2.reshape(-1), v4_3.reshape(-1), v6_0.reshape(-1), np.ascontiguousarray(v11).reshape(-1), v12_0.reshape(-1), v15_shape[0], v15_shape[1], v13.reshape(-1), v15_1.reshape(-1))
    except BroadcastMismatch:
        v4 = F1_4(v2, v3)
        v5 = v4[2]
        v6 = F1_6(v5)
        # expand_dims[axis=0] float32[1]
        v7 = np.expand_dims(v6, 0)
        # expand_dims[axis=1] float32[1, 1]
        v8 = np.expand_dims(v7, 1)
        v9 = v4[1]
        # shape_of int32[2]
        v10 = np.array(v9.shape, dtype=np.int32)
        # take[indices=(0, 1)] int32[2]
        v11 = np.take(v10, [0, 1], axis=0)
        v12 = F1_12(v11)
        v13 = v4[0]
        v14 = v4[3]
        v15 = F1_15(v8, v12, v9, v13, v14)
        v16 = v15[0]
    # gemm17: BLAS float32[4, 3]
    v17_out = B[4]
    if v17_out.shape != (v0.T.shape[0], v16.shape[1]):
        v17_out = B[4] = np.empty((v0.T.shape[0], v16.shape[1]), np.float32)
    v17 = gemm(v0.T, v16, v17_out)
    # v18: mul, sub (NumPy: 16 elements or fewer)
    v18_3 = np.asarray(R_mul(C_v18_1, v17, **v18_attrs3), dtype=np.float32)
    v18_4 = np.asarray(R_sub(v1, v18_3, **v18_attrs4), dtype=np.float32)
    v18 = v18_4
    v19 = v15[1]
    # v20: mul, sub (NumPy: 16 elements or fewer)
    v20_3 = np.asarray(R_mul(C_v20_1, v19, **v20_attrs3), dtype=np.float32)
    v20_4 = np.asarray(R_sub(v3, v20_3, **v20_attrs4), dtype=np.float32)
    v20 = v20_4
    S0.value = v18
    S1.value = v20
    return [v5]

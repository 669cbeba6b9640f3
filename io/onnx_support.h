/* onnx_support.h -- private constants shared by the ONNX reader and writer */
#ifndef LUMPNET_ONNX_SUPPORT_H
#define LUMPNET_ONNX_SUPPORT_H

#include <stdint.h>

/* TensorProto.DataType values of the ONNX specification that lumpnet
 * handles (the generated enum has them too; these names keep the two
 * files readable without spelling the protobuf-c prefixes). */
enum { LUMP_ONNX_FLOAT = 1, LUMP_ONNX_INT32 = 6, LUMP_ONNX_INT64 = 7, LUMP_ONNX_DOUBLE = 11 };

/* What the writer declares: IR version 7 (ONNX 1.8) and default-domain
 * opset 13, both accepted by every onnx release since 2020. */
#define LUMP_ONNX_IR_VERSION 7
#define LUMP_ONNX_OPSET 13

/* The operators the reader accepts, in the order error messages list them. */
#define LUMP_ONNX_OPS_LIST                                                                         \
    "Gemm, MatMul, Add, Sub, Div, Mul, Max, Min, Relu, LeakyRelu, Sigmoid, "                       \
    "Tanh, Flatten, Reshape, Identity, Dropout, Constant"

/* The default LeakyRelu slope of the specification, a float32 attribute:
 * the exact value read is that float's dyadic value, not 1/100. */
#define LUMP_ONNX_LEAKY_DEFAULT 0.01f

/* lump_i_onnx_dtype_name -- the specification's name of an element type
 * ("FLOAT", "DOUBLE", ...), or "an unknown element type". O(1). */
static inline const char *lump_i_onnx_dtype_name(int32_t t)
{
    static const char *const names[] = {"UNDEFINED",  "FLOAT",   "UINT8",  "INT8",   "UINT16",
                                        "INT16",      "INT32",   "INT64",  "STRING", "BOOL",
                                        "FLOAT16",    "DOUBLE",  "UINT32", "UINT64", "COMPLEX64",
                                        "COMPLEX128", "BFLOAT16"};
    if (t >= 0 && t < (int32_t)(sizeof names / sizeof names[0]))
        return names[t];
    return "an unknown element type";
}

#endif

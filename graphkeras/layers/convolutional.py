"""Convolution layers, as in Keras 2.2.4's keras/layers/convolutional.py: every class and alias
of that module, importable from here.

The layers live by family: conv.py (Conv1D/2D/3D and their base), convolutional_transpose.py,
separable_convolutional.py (SeparableConv1D/2D, DepthwiseConv2D) and padding.py (UpSampling,
ZeroPadding, Cropping).
"""
from .conv import Conv1D, Conv2D, Conv3D  # noqa: F401
from .convolutional_transpose import Conv2DTranspose, Conv3DTranspose
from .padding import (Cropping1D, Cropping2D, Cropping3D, UpSampling1D,  # noqa: F401
                      UpSampling2D, UpSampling3D, ZeroPadding1D, ZeroPadding2D, ZeroPadding3D)
from .separable_convolutional import DepthwiseConv2D, SeparableConv1D, SeparableConv2D  # noqa

# Aliases (Keras 2.2.4).
Convolution1D = Conv1D
Convolution2D = Conv2D
Convolution3D = Conv3D
SeparableConvolution1D = SeparableConv1D
SeparableConvolution2D = SeparableConv2D
Convolution2DTranspose = Conv2DTranspose
Deconvolution2D = Deconv2D = Conv2DTranspose
Deconvolution3D = Deconv3D = Conv3DTranspose

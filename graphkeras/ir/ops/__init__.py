"""The op families. Importing this package registers every op."""
from . import leaves, elementwise, reduction, shape, linalg, random, tuples, debug, ctc, nn, scan  # noqa: F401

//! The example models shipped in `examples/`.

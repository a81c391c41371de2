//! Agreement of a zkinfer model with predictions recorded from the source library.

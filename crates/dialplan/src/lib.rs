//! Switchyard dialplans (being written).
#![forbid(unsafe_code)]

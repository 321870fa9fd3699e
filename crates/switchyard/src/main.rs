//! Switchyard binary entry point.
fn main() {}

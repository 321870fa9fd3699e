//! The AMI server: listener, sessions and action handlers (being built).

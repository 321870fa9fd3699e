//! FreeSWITCH Event Socket for Switchyard (being written).
#![forbid(unsafe_code)]

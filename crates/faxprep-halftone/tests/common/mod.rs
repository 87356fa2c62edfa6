//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod draw;
pub mod tone;

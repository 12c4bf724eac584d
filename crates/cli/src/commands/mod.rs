//! One module per command.

pub mod check;
pub mod compare;
pub mod launch_manager;
pub mod launch_worker;
mod setup;
mod validate;

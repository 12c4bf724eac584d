//! One module per command.

pub mod bind;
pub mod check;
pub mod compare;
pub mod launch_manager;
pub mod launch_worker;
mod results_path;
mod setup;
mod validate;

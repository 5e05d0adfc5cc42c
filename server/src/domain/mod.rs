//! Rules and types of civique, apart from transport and storage: no web or database crate.

pub mod audit;
pub mod comment;
pub mod device;
pub mod email;
pub mod error;
pub mod export;
pub mod markdown;
pub mod moderation;
pub mod network;
pub mod personal;
pub mod poll;
pub mod proposal;
pub mod retention;
pub mod similar;
pub mod site;
pub mod sso;
pub mod staff;
pub mod text;
pub mod time;

pub use error::{Error, Result};

//! The pure core: no I/O beyond what a caller hands in, no GUI, fully unit-tested.

pub mod backend;
pub mod backend_form;
pub mod backend_kind;
pub mod bundle;
pub mod cause;
pub mod cert;
pub mod check;
pub mod export;
pub mod fields;
pub mod kept;
pub mod keygen;
pub mod problem;
pub mod profile;
pub mod push;
pub mod readiness;
pub mod record;
pub mod secret;
pub mod sent;
pub mod text;
pub mod wxapi;

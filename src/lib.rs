//! wxpay-setup: from "I want WeChat Pay in my mini program shop" to a verified
//! configuration. Layers, top to bottom: `ui` (egui views) and `cli` over `app`
//! (the wizard's state machine) over `domain` (pure rules) and `services` (the
//! outside world behind traits). Only `ui` knows egui.

pub mod app;
pub mod cli;
pub mod domain;
pub mod i18n;
pub mod services;
pub mod ui;

//! No subcommand: the wizard window, over the real services.

use std::process::ExitCode;

use crate::app::Services;
use crate::i18n::{Lang, Tr};

use super::FAIL;

pub fn run_gui() -> ExitCode {
    let tr = Tr(Lang::from_system());
    let services = match Services::real() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{}", tr.msg(&e));
            return ExitCode::from(FAIL);
        }
    };
    match crate::ui::run(services) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{}", tr.tf("cli.gui_failed", &[("reason", e.to_string())]));
            ExitCode::from(FAIL)
        }
    }
}

// SPDX-License-Identifier: GPL-2.0

//! make test's proof that the grader judges behaviour, not wording: `lab_minimal` written
//! another way (a module value with a field, the messages in its own words), which must get
//! full marks (scripts/run-tests, grade-alt-minimal).

use kernel::prelude::*;

module! {
    type: Greeter,
    name: "lab_minimal",
    authors: ["Rust Kernel Module Lab"],
    description: "Minimal Rust module: logs on load and unload",
    license: "GPL",
}

struct Greeter {
    built_in: bool,
}

impl Greeter {
    fn announce(&self) {
        pr_info!("hello, kernel! built in? {}\n", self.built_in);
    }
}

impl kernel::Module for Greeter {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let me = Greeter {
            built_in: !cfg!(MODULE),
        };
        me.announce();
        pr_info!("Loaded and ready.\n");
        Ok(me)
    }
}

impl Drop for Greeter {
    fn drop(&mut self) {
        pr_info!("Goodbye: module unloaded (built in: {})\n", self.built_in);
    }
}

//! [`Ctx`]: what a check body works with — its own connected client, the
//! system under test and its capabilities, unique names, notes, and the
//! cleanup list of everything the check created.

use std::time::Duration;

use lsm_core::{BlockingClient, BlockingClientBuilder, Capabilities, Capability, System};

use crate::cleanup::Undo;

/// What the suite learned once, before the checks: shared by every [`Ctx`].
#[derive(Debug, Clone)]
pub struct Session {
    /// How every client of the suite is opened.
    pub client: BlockingClientBuilder,
    /// The URI under test.
    pub uri: String,
    /// Timeout of every client the suite opens.
    pub timeout: Duration,
    /// Every system the plugin lists.
    pub systems: Vec<System>,
    /// The system the checks work on: the first one listed.
    pub system: System,
    /// Capabilities of [`Session::system`].
    pub caps: Capabilities,
    /// Random tag of this run, part of every name the suite makes.
    pub run_tag: String,
}

impl Session {
    /// Opens a new client on the URI under test, as the suite's options say.
    pub fn connect(&self) -> lsm_core::Result<BlockingClient> {
        self.client.clone().connect()
    }
}

/// The context of one check run.
pub struct Ctx {
    /// The URI under test.
    pub uri: String,
    /// Timeout of the client.
    pub timeout: Duration,
    /// A client connected for this check alone.
    pub client: BlockingClient,
    /// The system the check works on.
    pub system: System,
    /// Every system the plugin lists.
    pub systems: Vec<System>,
    /// Capabilities of [`Ctx::system`].
    pub caps: Capabilities,
    builder: BlockingClientBuilder,
    check: &'static str,
    run_tag: String,
    counter: u32,
    pub(crate) undo: Vec<Undo>,
    notes: Vec<String>,
    /// The supported capabilities the check asked about: with its `requires`, what the
    /// check vouches for when it passes.
    exercised: std::cell::RefCell<Vec<Capability>>,
}

impl Ctx {
    /// A context for `check`, on a freshly connected `client`.
    pub(crate) fn new(session: &Session, check: &'static str, client: BlockingClient) -> Ctx {
        Ctx {
            uri: session.uri.clone(),
            timeout: session.timeout,
            client,
            system: session.system.clone(),
            systems: session.systems.clone(),
            caps: session.caps.clone(),
            builder: session.client.clone(),
            check,
            run_tag: session.run_tag.clone(),
            counter: 0,
            undo: Vec::new(),
            notes: Vec::new(),
            exercised: std::cell::RefCell::new(Vec::new()),
        }
    }

    /// The name of the running check.
    pub fn check_name(&self) -> &'static str {
        self.check
    }

    /// True when the system supports `cap`.
    /// A check that branches on a supported capability uses it: the capability counts
    /// as exercised when the check passes (see [`crate::harness::CLAIMS_CHECK`]).
    pub fn supports(&self, cap: Capability) -> bool {
        let supported = self.caps.supported(cap);
        if supported {
            self.exercised.borrow_mut().push(cap);
        }
        supported
    }

    /// True when the system supports every one of `caps` (each counts as exercised,
    /// as with [`Ctx::supports`], when all are supported).
    pub fn supports_all(&self, caps: &[Capability]) -> bool {
        let all = caps.iter().all(|cap| self.caps.supported(*cap));
        if all {
            self.exercised.borrow_mut().extend_from_slice(caps);
        }
        all
    }

    /// The supported capabilities the check branched on, each once.
    pub(crate) fn take_exercised(&self) -> Vec<Capability> {
        let mut caps = std::mem::take(&mut *self.exercised.borrow_mut());
        caps.sort();
        caps.dedup();
        caps
    }

    /// Opens another client on the URI under test (the reference opens one
    /// per test; some checks need a second session).
    pub fn connect(&self) -> lsm_core::Result<BlockingClient> {
        self.builder().connect()
    }

    /// How the suite opens its clients (URI, password, timeout, how the plugin is
    /// reached), to open one differently.
    pub fn builder(&self) -> BlockingClientBuilder {
        self.builder.clone()
    }

    fn next(&mut self) -> u32 {
        self.counter += 1;
        self.counter
    }

    /// A name no other object has: `lsmrs_<check>_<run tag>_<n>`.
    pub fn unique_name(&mut self) -> String {
        let n = self.next();
        format!("lsmrs_{}_{}_{n}", self.check, self.run_tag)
    }

    /// A unique iSCSI initiator name.
    pub fn unique_iqn(&mut self) -> String {
        let n = self.next();
        let check = self.check.replace('_', "-");
        format!("iqn.2024-01.org.lsm-rs:{check}-{}-{n}", self.run_tag)
    }

    /// A unique WWPN in lowercase colon form.
    pub fn unique_wwpn(&mut self) -> String {
        let n = self.next();
        let tag = u32::from_str_radix(&self.run_tag, 16).unwrap_or(0);
        let check_hash = self
            .check
            .bytes()
            .fold(0u8, |acc, b| acc.wrapping_mul(31).wrapping_add(b));
        let bytes = [
            0x10,
            0x00,
            (tag >> 16) as u8,
            (tag >> 8) as u8,
            tag as u8,
            check_hash,
            (n >> 8) as u8,
            n as u8,
        ];
        bytes
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<Vec<_>>()
            .join(":")
    }

    /// Records an observation shown with the outcome (`--verbose`).
    pub fn note(&mut self, text: impl Into<String>) {
        self.notes.push(text.into());
    }

    pub(crate) fn take_notes(&mut self) -> Vec<String> {
        std::mem::take(&mut self.notes)
    }
}

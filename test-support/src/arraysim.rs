//! [`ArraySim`]: a real `lsm-arraysim` process over TLS (self-signed, its
//! certificate trusted through `ca_cert=`), stopped when dropped; with the
//! URI a plugin is given, a REST client of the test's own (to change the
//! array behind the plugin's back) and the admin endpoint's counters.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use lsm_rest::{Auth, Request, RestClient, RestConfig, Secret, TlsOptions};

/// The simulator's user.
pub const ARRAYSIM_USER: &str = "admin";
/// The simulator's password: tests grep for it in logs and messages.
pub const ARRAYSIM_PASSWORD: &str = "s3cret-Passw0rd";
/// The timeout of the REST clients made here.
const REST_TIMEOUT: Duration = Duration::from_secs(60);

/// A running simulator, stopped (SIGTERM, then reaped) when dropped.
pub struct ArraySim {
    child: Child,
    state: tempfile::TempDir,
    vendor: String,
    /// The port it listens on (127.0.0.1).
    pub port: u16,
    /// The certificate it made, to trust with `ca_cert=`.
    pub cert: PathBuf,
}

impl ArraySim {
    /// `lsm-arraysim --vendor VENDOR --self-signed` on a free port with a fresh state
    /// directory and `extra` arguments (e.g. `--fault`); returns once it accepts
    /// connections.
    pub fn start(vendor: &str, extra: &[&str]) -> ArraySim {
        let state = tempfile::tempdir().expect("a temporary state directory");
        let cert = state.path().join("cert.pem");
        ArraySim::launch(vendor, state, &["--self-signed"], cert, extra)
    }

    /// Like [`ArraySim::start`], presenting the certificate chain `cert` with its `key`
    /// (`--tls-cert`, `--tls-key`); [`ArraySim::cert`] is then `cert`.
    pub fn start_with_certificate(
        vendor: &str,
        cert: &std::path::Path,
        key: &std::path::Path,
        extra: &[&str],
    ) -> ArraySim {
        let state = tempfile::tempdir().expect("a temporary state directory");
        let (cert_arg, key_arg) = (cert.display().to_string(), key.display().to_string());
        ArraySim::launch(
            vendor,
            state,
            &["--tls-cert", &cert_arg, "--tls-key", &key_arg],
            cert.to_path_buf(),
            extra,
        )
    }

    fn launch(
        vendor: &str,
        state: tempfile::TempDir,
        tls: &[&str],
        cert: PathBuf,
        extra: &[&str],
    ) -> ArraySim {
        let exe = crate::workspace_binary("lsm-arraysim", "lsm-arraysim");
        let mut child = Command::new(&exe)
            .args(["--vendor", vendor, "--listen", "127.0.0.1:0"])
            .args(tls)
            .arg("--state")
            .arg(state.path())
            .args(["--user", ARRAYSIM_USER])
            // Through its environment, not argv: tests assert no process they start shows
            // the password in /proc/<pid>/cmdline.
            .env("LSM_ARRAYSIM_PASSWORD", ARRAYSIM_PASSWORD)
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|error| panic!("start {}: {error}", exe.display()));
        let mut first = String::new();
        BufReader::new(child.stdout.take().expect("piped stdout"))
            .read_line(&mut first)
            .expect("the simulator's first line");
        let address = first
            .trim()
            .strip_prefix("listening on https://")
            .unwrap_or_else(|| panic!("unexpected first line from lsm-arraysim: {first:?}"));
        let port = address
            .rsplit(':')
            .next()
            .and_then(|port| port.parse().ok())
            .unwrap_or_else(|| panic!("no port in {first:?}"));
        assert!(cert.is_file(), "no certificate {}", cert.display());
        ArraySim {
            child,
            state,
            vendor: vendor.to_string(),
            port,
            cert,
        }
    }

    /// The ONTAP simulator with no extra arguments.
    pub fn ontap() -> ArraySim {
        ArraySim::start("ontap", &[])
    }

    /// The NexentaStor 5 simulator with no extra arguments (log in with
    /// `POST /auth/login` `{"username": ARRAYSIM_USER, "password":
    /// ARRAYSIM_PASSWORD}`, then `Authorization: Bearer <token>`; tokens
    /// live `--token-ttl-ms` (an hour) of the simulator's clock, which
    /// [`ArraySim::advance_clock`] moves on).
    pub fn nexenta() -> ArraySim {
        ArraySim::start("nexenta", &[])
    }

    /// Its state directory.
    pub fn state_dir(&self) -> &std::path::Path {
        self.state.path()
    }

    /// The process id of the simulator.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The plugin URI for it (`<scheme>://admin@127.0.0.1:PORT?ca_cert=...`) followed by
    /// `extra_query` (`&key=value...`, or empty).
    pub fn uri_with(&self, extra_query: &str) -> String {
        let scheme = match self.vendor.as_str() {
            "nexenta" => "nstor",
            "unity" => "emc",
            other => other,
        };
        format!(
            "{scheme}://{ARRAYSIM_USER}@127.0.0.1:{}?ca_cert={}{extra_query}",
            self.port,
            self.cert.display()
        )
    }

    /// The plugin URI for it.
    pub fn uri(&self) -> String {
        self.uri_with("")
    }

    /// A REST client of the test's own, trusting its certificate, with Basic auth
    /// (and, for `unity`, the mandatory `X-EMC-REST-CLIENT: true`; Unity's POST and
    /// DELETE also need the session cookie and `EMC-CSRF-TOKEN`, which this client
    /// does not keep).
    pub fn rest(&self) -> RestClient {
        let config = RestConfig {
            base_url: format!("https://127.0.0.1:{}/", self.port)
                .parse()
                .expect("a URL"),
            tls: TlsOptions {
                extra_roots: lsm_rest::read_ca_cert(&self.cert).expect("the certificate"),
                ..TlsOptions::default()
            },
            auth: Auth::Basic {
                user: ARRAYSIM_USER.into(),
                password: Secret::new(ARRAYSIM_PASSWORD),
            },
            timeout: REST_TIMEOUT,
            headers: match self.vendor.as_str() {
                "unity" => vec![("X-EMC-REST-CLIENT".into(), "true".into())],
                _ => Vec::new(),
            },
        };
        RestClient::new(config).expect("a REST client")
    }

    /// The admin endpoint's request counters (`GET /_arraysim/stats`).
    pub fn stats(&self) -> serde_json::Value {
        self.rest()
            .send_json(&Request::get("/_arraysim/stats"))
            .expect("GET /_arraysim/stats")
    }

    /// How many `request`s (`"GET /api/storage/luns"`: method and path) it has been sent.
    pub fn requests(&self, request: &str) -> u64 {
        self.stats()["requests"][request].as_u64().unwrap_or(0)
    }

    /// Moves the simulator's clock on by `by` (`POST /_arraysim/clock`): tokens and
    /// sessions age, job steps and delayed mappings come due, without the test sleeping.
    pub fn advance_clock(&self, by: Duration) {
        let reply = self
            .rest()
            .send(
                &Request::post("/_arraysim/clock")
                    .json(&serde_json::json!({ "advance_ms": by.as_millis() as u64 })),
            )
            .expect("POST /_arraysim/clock");
        assert_eq!(reply.status(), 200, "POST /_arraysim/clock");
    }

    /// Ends every job step waiting now (`POST /_arraysim/jobs/finish`): the jobs started
    /// under `--job-ms` run to their end at once.
    pub fn finish_jobs(&self) {
        let reply = self
            .rest()
            .send(&Request::post("/_arraysim/jobs/finish"))
            .expect("POST /_arraysim/jobs/finish");
        assert_eq!(reply.status(), 200, "POST /_arraysim/jobs/finish");
    }

    /// Ends every login session or token now (`DELETE /_arraysim/sessions`), as if each
    /// had expired; how many there were.
    pub fn end_sessions(&self) -> u64 {
        let reply: serde_json::Value = self
            .rest()
            .send_json(&Request::delete("/_arraysim/sessions"))
            .expect("DELETE /_arraysim/sessions");
        reply["ended"].as_u64().expect("an \"ended\" count")
    }

    /// Adds a fault (`lsm-arraysim --fault` grammar) through the admin endpoint.
    pub fn add_fault(&self, spec: &str) {
        let reply = self
            .rest()
            .send(&Request::post("/_arraysim/faults").json(&serde_json::json!({ "spec": spec })))
            .unwrap_or_else(|error| panic!("fault {spec}: {error}"));
        assert_eq!(reply.status(), 201, "fault {spec}");
    }

    /// Removes every fault.
    pub fn clear_faults(&self) {
        self.rest()
            .send(&Request::delete("/_arraysim/faults"))
            .expect("DELETE /_arraysim/faults");
    }
}

impl Drop for ArraySim {
    fn drop(&mut self) {
        let pid = nix::unistd::Pid::from_raw(self.child.id() as i32);
        let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM);
        let _ = self.child.wait();
    }
}

//! systemd readiness notification (`sd_notify`) without libsystemd.
//!
//! When `NOTIFY_SOCKET` names a datagram socket (a path, or an abstract name
//! written with a leading `@`), lsmd sends `READY=1` once every plugin socket
//! listens, `RELOADING=1` and then `READY=1` around a SIGHUP rescan, and
//! `STOPPING=1` on exit. Failures to notify are logged, never fatal.

use std::ffi::OsStr;
use std::io;
use std::os::linux::net::SocketAddrExt;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::net::{SocketAddr, UnixDatagram};
use std::path::PathBuf;

/// Environment variable systemd sets for `Type=notify` services.
pub const NOTIFY_SOCKET_ENV: &str = "NOTIFY_SOCKET";

/// Where notifications go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotifyTarget {
    /// A socket file.
    Path(PathBuf),
    /// A Linux abstract socket name (without the leading `@` or NUL).
    Abstract(Vec<u8>),
}

/// Sends state strings to the service manager.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemdNotifier {
    target: NotifyTarget,
}

impl SystemdNotifier {
    /// A notifier for `$NOTIFY_SOCKET`, or `None` when it is unset or empty.
    pub fn from_env() -> Option<Self> {
        std::env::var_os(NOTIFY_SOCKET_ENV).and_then(|value| Self::from_address(&value))
    }

    /// A notifier for an address in `NOTIFY_SOCKET` syntax.
    pub fn from_address(address: &OsStr) -> Option<Self> {
        let bytes = address.as_bytes();
        let target = match bytes.first()? {
            b'@' => NotifyTarget::Abstract(bytes[1..].to_vec()),
            _ => NotifyTarget::Path(PathBuf::from(address)),
        };
        Some(Self { target })
    }

    /// The destination.
    pub fn target(&self) -> &NotifyTarget {
        &self.target
    }

    /// Sends one notification (for example `"READY=1"`).
    pub fn notify(&self, state: &str) -> io::Result<()> {
        let socket = UnixDatagram::unbound()?;
        match &self.target {
            NotifyTarget::Path(path) => socket.send_to(state.as_bytes(), path)?,
            NotifyTarget::Abstract(name) => {
                let address = SocketAddr::from_abstract_name(name)?;
                socket.send_to_addr(state.as_bytes(), &address)?
            }
        };
        Ok(())
    }

    /// Sends a notification and logs (instead of returning) a failure.
    pub fn notify_or_log(&self, state: &str) {
        match self.notify(state) {
            Ok(()) => tracing::debug!("sd_notify: {}", state.replace('\n', " ")),
            Err(error) => tracing::warn!("cannot notify the service manager ({state}): {error}"),
        }
    }
}

/// The `RELOADING=1` message, with the `MONOTONIC_USEC` systemd asks for.
pub fn reloading_message() -> String {
    match nix::time::clock_gettime(nix::time::ClockId::CLOCK_MONOTONIC) {
        Ok(now) => {
            let microseconds = now.tv_sec() as i128 * 1_000_000 + now.tv_nsec() as i128 / 1_000;
            format!("RELOADING=1\nMONOTONIC_USEC={microseconds}")
        }
        Err(_) => "RELOADING=1".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn address_syntax() {
        assert_eq!(SystemdNotifier::from_address(OsStr::new("")), None);
        assert_eq!(
            SystemdNotifier::from_address(OsStr::new("/run/systemd/notify"))
                .unwrap()
                .target(),
            &NotifyTarget::Path(PathBuf::from("/run/systemd/notify"))
        );
        assert_eq!(
            SystemdNotifier::from_address(OsStr::new("@abc"))
                .unwrap()
                .target(),
            &NotifyTarget::Abstract(b"abc".to_vec())
        );
    }

    #[test]
    fn sends_to_a_path_socket() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notify");
        let receiver = UnixDatagram::bind(&path).unwrap();
        receiver
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let notifier = SystemdNotifier::from_address(path.as_os_str()).unwrap();
        notifier.notify("READY=1").unwrap();
        let mut buffer = [0u8; 64];
        let length = receiver.recv(&mut buffer).unwrap();
        assert_eq!(&buffer[..length], b"READY=1");
    }

    #[test]
    fn sends_to_an_abstract_socket() {
        let name = format!("lsmd-notify-unit-{}", std::process::id());
        let address = SocketAddr::from_abstract_name(name.as_bytes()).unwrap();
        let receiver = UnixDatagram::bind_addr(&address).unwrap();
        receiver
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let notifier = SystemdNotifier::from_address(OsStr::new(&format!("@{name}"))).unwrap();
        notifier.notify("STOPPING=1").unwrap();
        let mut buffer = [0u8; 64];
        let length = receiver.recv(&mut buffer).unwrap();
        assert_eq!(&buffer[..length], b"STOPPING=1");
    }

    #[test]
    fn reloading_message_carries_a_timestamp() {
        let message = reloading_message();
        assert!(
            message.starts_with("RELOADING=1\nMONOTONIC_USEC="),
            "{message}"
        );
    }
}

//! Extended attributes (`user.*`) on files and directories.
//!
//! The plugin keeps the little it must remember about a volume image or a
//! file system *on the object itself*, so it moves with the object and
//! another plugin process finds it without a cache: a volume's
//! administrative state, which volume it was replicated from, whether a
//! cloned file system was made independent of its source. btrfs supports
//! `user.*` attributes on every file and directory.
//!
//! The `l*xattr` calls are used so a symbolic link is never followed.

use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use crate::error::{Error, Result};

/// Longest value read back (the plugin's values are short ids).
const MAX_VALUE_LEN: usize = 4096;

fn c_path(path: &Path) -> Result<CString> {
    CString::new(path.as_os_str().as_bytes())
        .map_err(|_| Error::InvalidArgument(format!("{} contains a NUL byte", path.display())))
}

fn c_name(name: &str) -> Result<CString> {
    if !name.starts_with("user.") {
        return Err(Error::InvalidArgument(format!(
            "extended attribute {name:?} is not in the user namespace"
        )));
    }
    CString::new(name)
        .map_err(|_| Error::InvalidArgument(format!("attribute name {name:?} contains NUL")))
}

fn xattr_error(action: &str, name: &str, path: &Path) -> Error {
    let error = std::io::Error::last_os_error();
    match error.raw_os_error() {
        Some(libc::ENOENT) => Error::not_found(
            crate::error::ObjectKind::Other,
            format!("{} does not exist", path.display()),
        ),
        Some(libc::ENOTSUP) => Error::NoSupport(format!(
            "{} does not support extended attributes ({name})",
            path.display()
        )),
        _ => Error::io(format!("{action} {name} of {}", path.display()), error),
    }
}

/// Reads attribute `name` of `path`; `None` when it is not set.
pub fn get(path: &Path, name: &str) -> Result<Option<Vec<u8>>> {
    let c_path = c_path(path)?;
    let c_name = c_name(name)?;
    let mut buffer = vec![0u8; MAX_VALUE_LEN];
    // SAFETY: both strings are NUL-terminated and live across the call; the
    // buffer is valid for `buffer.len()` writable bytes.
    let length = unsafe {
        libc::lgetxattr(
            c_path.as_ptr(),
            c_name.as_ptr(),
            buffer.as_mut_ptr().cast(),
            buffer.len(),
        )
    };
    if length < 0 {
        if std::io::Error::last_os_error().raw_os_error() == Some(libc::ENODATA) {
            return Ok(None);
        }
        return Err(xattr_error("reading", name, path));
    }
    let length = usize::try_from(length).unwrap_or(0).min(buffer.len());
    buffer.truncate(length);
    Ok(Some(buffer))
}

/// Reads attribute `name` as UTF-8 text (trimmed); `None` when it is not
/// set or not text.
pub fn get_text(path: &Path, name: &str) -> Result<Option<String>> {
    Ok(get(path, name)?
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .map(|text| text.trim().to_owned()))
}

/// Sets attribute `name` of `path` to `value`.
pub fn set(path: &Path, name: &str, value: &[u8]) -> Result<()> {
    let c_path = c_path(path)?;
    let c_name = c_name(name)?;
    // SAFETY: both strings are NUL-terminated and live across the call; the
    // value slice is valid for `value.len()` bytes.
    let status = unsafe {
        libc::lsetxattr(
            c_path.as_ptr(),
            c_name.as_ptr(),
            value.as_ptr().cast(),
            value.len(),
            0,
        )
    };
    if status != 0 {
        return Err(xattr_error("setting", name, path));
    }
    Ok(())
}

/// Removes attribute `name` of `path`; returns whether it was set.
pub fn remove(path: &Path, name: &str) -> Result<bool> {
    let c_path = c_path(path)?;
    let c_name = c_name(name)?;
    // SAFETY: both strings are NUL-terminated and live across the call.
    let status = unsafe { libc::lremovexattr(c_path.as_ptr(), c_name.as_ptr()) };
    if status != 0 {
        if std::io::Error::last_os_error().raw_os_error() == Some(libc::ENODATA) {
            return Ok(false);
        }
        return Err(xattr_error("removing", name, path));
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use lsm_core::ErrorNumber;

    #[test]
    fn set_get_remove_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        std::fs::write(&file, b"x").unwrap();
        match set(&file, "user.lsm.test", b"value-1") {
            Ok(()) => {}
            // tmpfs without user xattrs (old kernels): nothing to test here.
            Err(Error::NoSupport(_)) => return,
            Err(other) => panic!("{other}"),
        }
        assert_eq!(
            get_text(&file, "user.lsm.test").unwrap().as_deref(),
            Some("value-1")
        );
        assert_eq!(get(&file, "user.lsm.other").unwrap(), None);
        assert!(remove(&file, "user.lsm.test").unwrap());
        assert!(!remove(&file, "user.lsm.test").unwrap());
        assert_eq!(get(&file, "user.lsm.test").unwrap(), None);
    }

    #[test]
    fn refuses_other_namespaces_and_missing_files() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            get(dir.path(), "trusted.x"),
            Err(Error::InvalidArgument(_))
        ));
        let missing = dir.path().join("missing");
        assert_eq!(
            get(&missing, "user.x").unwrap_err().lsm_error_number(),
            ErrorNumber::NOT_FOUND_GENERIC
        );
    }
}

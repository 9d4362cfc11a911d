//! Which array to talk to, and with what password (protocol doc §7, §9).
//!
//! URI precedence: `-u/--uri` (several allowed for `list`) > env `LSMCLI_URI` > a `uri=`
//! line in `~/.lsmcli` (`name = value` lines, `#` starts a comment line, only `uri` is read).
//! The password comes from `-P` (asked on the terminal, not echoed) or env
//! `LSMCLI_PASSWORD`; a password with a URI that names no `user@` is an argument error.

use std::path::Path;

use lsm_core::Uri;

use crate::error::CliError;

/// Env variable holding the default URI.
pub const URI_ENV: &str = "LSMCLI_URI";
/// Env variable holding the password.
pub const PASSWORD_ENV: &str = "LSMCLI_PASSWORD";
/// The per-user configuration file, in `$HOME`.
pub const CONFIG_FILE: &str = ".lsmcli";

/// The URIs to use: the command line's, else `LSMCLI_URI`, else `~/.lsmcli`; `None` when
/// none is given anywhere.
pub fn resolve_uris(from_command_line: &[String]) -> Option<Vec<String>> {
    if !from_command_line.is_empty() {
        return Some(from_command_line.to_vec());
    }
    if let Some(uri) = std::env::var_os(URI_ENV) {
        return Some(vec![uri.to_string_lossy().into_owned()]);
    }
    let home = std::env::var_os("HOME")?;
    let text = std::fs::read_to_string(Path::new(&home).join(CONFIG_FILE)).ok()?;
    config_uri(&text).map(|uri| vec![uri])
}

/// The `uri` of a `~/.lsmcli` text (the last `uri = ...` line wins, as in the reference).
pub fn config_uri(text: &str) -> Option<String> {
    let mut uri = None;
    for line in text.lines() {
        if line.trim_start().starts_with('#') {
            continue;
        }
        if let Some((name, value)) = line.split_once('=')
            && name.trim() == "uri"
        {
            uri = Some(value.trim().to_string());
        }
    }
    uri
}

/// The password: asked on the terminal with `-P`, else `LSMCLI_PASSWORD`, else none.
pub fn password(prompt: bool) -> Result<Option<String>, CliError> {
    if prompt {
        return rpassword::prompt_password("Password: ")
            .map(Some)
            .map_err(|e| CliError::argument(format!("cannot read the password: {e}")));
    }
    Ok(std::env::var(PASSWORD_ENV).ok())
}

/// Refuses a password for a URI with no user name.
pub fn check_user_for_password(uri: &str, password: Option<&str>) -> Result<(), CliError> {
    if password.is_none() {
        return Ok(());
    }
    let has_user = Uri::parse(uri).is_ok_and(|parsed| parsed.username.is_some());
    if has_user {
        Ok(())
    } else {
        Err(CliError::argument(
            "password specified with no user name in uri",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_file_uri_line() {
        let text =
            "# my arrays\n  # uri = commented://\nfoo = bar\nuri = sim://?statefile=/tmp/x\n";
        assert_eq!(config_uri(text), Some("sim://?statefile=/tmp/x".into()));
        assert_eq!(config_uri("uri=a://\nuri=b://\n"), Some("b://".into()));
        assert_eq!(config_uri("no uri here\n"), None);
        assert_eq!(config_uri("uri = a://b?c=d=e"), Some("a://b?c=d=e".into()));
    }

    #[test]
    fn a_password_needs_a_user() {
        assert!(check_user_for_password("sim://", None).is_ok());
        assert!(check_user_for_password("ontap://admin@filer", Some("pw")).is_ok());
        assert_eq!(
            check_user_for_password("sim://", Some("pw")),
            Err(CliError::argument(
                "password specified with no user name in uri"
            ))
        );
        assert!(check_user_for_password("wat", Some("pw")).is_err());
    }
}

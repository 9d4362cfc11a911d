//! iSCSI CHAP: LSM's `iscsi_chap_auth` as the initiator's entry in ONTAP's iSCSI credentials
//! (`/api/protocols/san/iscsi/credentials`, keyed by SVM uuid and initiator name).
//!
//! LSM sets the whole state of an initiator's credentials in one call: no user means no
//! authentication (`none`), an inbound user and password mean `chap`, outbound ones too
//! mean mutual CHAP; an outbound pair left out clears the one ONTAP had. The entry is
//! created when the initiator has none of its own (it then stops following the SVM's
//! `default`), else changed in place. The passwords travel only in the request body (which
//! `lsm-rest` redacts in its logs) and ONTAP never returns them.

use lsm_core::{LsmError, Result};
use lsm_rest::Method;
use serde_json::{Value, json};

use super::session::Session;
use crate::error::ObjectKind;

const CREDENTIALS: &str = "/api/protocols/san/iscsi/credentials";

/// The `authentication_type` and `chap` ONTAP is sent for LSM's four optional values
/// (checked in pairs by the SDK before the plugin sees them); `existing` when ONTAP already
/// has an entry for the initiator, so that a left-out outbound pair is cleared.
fn credentials_body(
    in_user: Option<&str>,
    in_password: Option<&str>,
    out_user: Option<&str>,
    out_password: Option<&str>,
    existing: bool,
) -> Result<Value> {
    let (Some(user), Some(password)) = (in_user, in_password) else {
        if out_user.is_some() || in_user.is_some() {
            return Err(LsmError::invalid_argument(
                "CHAP needs an inbound user and password; outbound ones only with them",
            ));
        }
        return Ok(json!({"authentication_type": "none"}));
    };
    let mut chap = json!({"inbound": {"user": user, "password": password}});
    match (out_user, out_password) {
        (Some(out_user), Some(out_password)) => {
            chap["outbound"] = json!({"user": out_user, "password": out_password});
        }
        (None, None) if existing => chap["outbound"] = json!({"user": ""}),
        (None, None) => {}
        _ => {
            return Err(LsmError::invalid_argument(
                "an outbound CHAP user needs its password, and a password its user",
            ));
        }
    }
    Ok(json!({"authentication_type": "chap", "chap": chap}))
}

impl Session {
    pub(super) fn iscsi_chap_auth(
        &self,
        init_id: &str,
        in_user: Option<&str>,
        in_password: Option<&str>,
        out_user: Option<&str>,
        out_password: Option<&str>,
    ) -> Result<()> {
        let existing = self.client.iscsi_credentials(&self.svm, init_id)?;
        let mut body = credentials_body(
            in_user,
            in_password,
            out_user,
            out_password,
            existing.is_some(),
        )?;
        let (method, path) = match existing {
            Some(entry) => {
                let svm_uuid = entry.svm.and_then(|svm| svm.uuid).ok_or_else(|| {
                    LsmError::plugin_bug("an iSCSI credentials entry without its SVM")
                })?;
                let initiator = entry.initiator.unwrap_or_else(|| init_id.to_string());
                (
                    Method::PATCH,
                    format!("{CREDENTIALS}/{svm_uuid}/{}", urlencoding(&initiator)),
                )
            }
            None => {
                body["svm"] = json!({"name": self.svm});
                body["initiator"] = json!(init_id);
                (Method::POST, CREDENTIALS.to_string())
            }
        };
        self.client.change_and_wait(
            method,
            &path,
            Some(&body),
            ObjectKind::Other,
            self.client.deadline(),
        )?;
        Ok(())
    }
}

/// An initiator name as one segment of a URL path (IQNs hold `:`, which may stay; anything
/// outside the unreserved set and `:` is percent-encoded).
fn urlencoding(segment: &str) -> String {
    segment
        .bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b':' => {
                (byte as char).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lsm_credentials_become_ontap_authentication() {
        assert_eq!(
            credentials_body(None, None, None, None, true).unwrap(),
            json!({"authentication_type": "none"})
        );
        assert_eq!(
            credentials_body(Some("u"), Some("p"), None, None, false).unwrap(),
            json!({"authentication_type": "chap", "chap": {"inbound": {"user": "u", "password": "p"}}})
        );
        // Changing an entry: a left-out outbound pair is cleared.
        assert_eq!(
            credentials_body(Some("u"), Some("p"), None, None, true).unwrap()["chap"]["outbound"],
            json!({"user": ""})
        );
        assert_eq!(
            credentials_body(Some("u"), Some("p"), Some("o"), Some("q"), true).unwrap()["chap"]["outbound"],
            json!({"user": "o", "password": "q"})
        );
        for (a, b, c, d) in [
            (None, None, Some("o"), Some("q")),
            (Some("u"), None, None, None),
            (Some("u"), Some("p"), Some("o"), None),
        ] {
            assert!(
                credentials_body(a, b, c, d, false).is_err(),
                "{a:?} {b:?} {c:?} {d:?}"
            );
        }
    }

    #[test]
    fn initiator_names_are_path_segments() {
        assert_eq!(
            urlencoding("iqn.1994-05.com.redhat:a1"),
            "iqn.1994-05.com.redhat:a1"
        );
        assert_eq!(urlencoding("iqn.x:a b/c"), "iqn.x:a%20b%2Fc");
    }
}

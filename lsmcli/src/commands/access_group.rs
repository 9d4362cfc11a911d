//! `access-group-*` commands and `iscsi-chap`.

use lsm_core::validate::normalize_init_id;
use lsm_core::{ChapAuth, ChapCredentials, InitiatorType};

use super::Session;
use crate::error::{CliError, Exit};

/// `access-group-create --name --init --sys`: the new group.
pub async fn create(
    session: &mut Session<'_>,
    name: &str,
    init: &str,
    sys: &str,
) -> Result<Exit, CliError> {
    let system = session.find_system(sys).await?;
    let (init_id, init_type) = parse_initiator(init)?;
    let group = session
        .client
        .access_group_create(name, &init_id, init_type, &system)
        .await?;
    session.out.show_one(&group)?;
    Ok(Exit::Done)
}

/// `access-group-add --ag --init`: the group as it is now.
pub async fn add(session: &mut Session<'_>, ag: &str, init: &str) -> Result<Exit, CliError> {
    let group = session.find_access_group(ag).await?;
    let (init_id, init_type) = parse_initiator(init)?;
    let group = session
        .client
        .access_group_initiator_add(&group, &init_id, init_type)
        .await?;
    session.out.show_one(&group)?;
    Ok(Exit::Done)
}

/// `access-group-remove --ag --init`: the group as it is now.
pub async fn remove(session: &mut Session<'_>, ag: &str, init: &str) -> Result<Exit, CliError> {
    let group = session.find_access_group(ag).await?;
    let (init_id, init_type) = parse_initiator(init)?;
    let group = session
        .client
        .access_group_initiator_delete(&group, &init_id, init_type)
        .await?;
    session.out.show_one(&group)?;
    Ok(Exit::Done)
}

/// `access-group-delete --ag`.
pub async fn delete(session: &mut Session<'_>, ag: &str) -> Result<Exit, CliError> {
    let group = session.find_access_group(ag).await?;
    session.client.access_group_delete(&group).await?;
    Ok(Exit::Done)
}

/// `access-group-volumes --ag`: the volumes masked to the group.
pub async fn volumes(session: &mut Session<'_>, ag: &str) -> Result<Exit, CliError> {
    let group = session.find_access_group(ag).await?;
    let volumes = session
        .client
        .volumes_accessible_by_access_group(&group)
        .await?;
    session.out.show_all(&volumes)?;
    Ok(Exit::Done)
}

/// `iscsi-chap --init [--in-user --in-pass [--out-user --out-pass]]`.
pub async fn iscsi_chap(
    session: &mut Session<'_>,
    init: &str,
    in_user: Option<&str>,
    in_pass: Option<&str>,
    out_user: Option<&str>,
    out_pass: Option<&str>,
) -> Result<Exit, CliError> {
    let (init_id, init_type) = parse_initiator(init)?;
    if init_type != InitiatorType::ISCSI_IQN {
        return Err(CliError::argument(format!(
            "--init \"{init}\" is not a valid iSCSI IQN"
        )));
    }
    check_chap_pairs(in_user, in_pass, out_user, out_pass)?;
    // Paired by the check above: a user without its password is refused there.
    let credentials = |user: Option<&str>, password: Option<&str>| {
        user.zip(password)
            .map(|(user, password)| ChapCredentials::new(user, password))
    };
    let chap = ChapAuth {
        inbound: credentials(in_user, in_pass),
        outbound: credentials(out_user, out_pass),
    };
    session.client.iscsi_chap_auth(&init_id, &chap).await?;
    Ok(Exit::Done)
}

/// An initiator id and the type it implies (iSCSI name or WWPN, WWPNs normalised to
/// lowercase colon form).
pub fn parse_initiator(init: &str) -> Result<(String, InitiatorType), CliError> {
    normalize_init_id(init, InitiatorType::UNKNOWN).map_err(|_| {
        CliError::argument(format!(
            "--init \"{init}\" is not a valid WWPN or iSCSI IQN"
        ))
    })
}

/// CHAP user and password come in pairs, and outbound needs inbound.
fn check_chap_pairs(
    in_user: Option<&str>,
    in_pass: Option<&str>,
    out_user: Option<&str>,
    out_pass: Option<&str>,
) -> Result<(), CliError> {
    match (in_user, in_pass) {
        (Some(_), None) => return Err(CliError::argument("--in-user requires --in-pass")),
        (None, Some(_)) => return Err(CliError::argument("--in-pass requires --in-user")),
        _ => {}
    }
    match (out_user, out_pass) {
        (Some(_), None) => return Err(CliError::argument("--out-user requires --out-pass")),
        (None, Some(_)) => return Err(CliError::argument("--out-pass requires --out-user")),
        _ => {}
    }
    if out_user.is_some() && in_user.is_none() {
        return Err(CliError::argument(
            "out-user and out-password only supported if inbound is supplied",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initiators_are_typed_and_normalised() {
        assert_eq!(
            parse_initiator("iqn.1994-05.com.example:01.host1"),
            Ok((
                "iqn.1994-05.com.example:01.host1".to_string(),
                InitiatorType::ISCSI_IQN
            ))
        );
        assert_eq!(
            parse_initiator("20:00:00:00:C9:AA:BB:CC"),
            Ok(("20:00:00:00:c9:aa:bb:cc".to_string(), InitiatorType::WWPN))
        );
        assert_eq!(
            parse_initiator("nonsense"),
            Err(CliError::argument(
                "--init \"nonsense\" is not a valid WWPN or iSCSI IQN"
            ))
        );
    }

    #[test]
    fn chap_pairs() {
        assert!(check_chap_pairs(None, None, None, None).is_ok());
        assert!(check_chap_pairs(Some("u"), Some("p"), Some("o"), Some("q")).is_ok());
        assert!(check_chap_pairs(Some("u"), None, None, None).is_err());
        assert!(check_chap_pairs(None, Some("p"), None, None).is_err());
        assert!(check_chap_pairs(None, None, Some("o"), Some("q")).is_err());
        assert!(check_chap_pairs(Some("u"), Some("p"), Some("o"), None).is_err());
    }
}

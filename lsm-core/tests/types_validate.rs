//! vpd83 / iSCSI / WWPN validation, initiator normalisation and search keys.

use lsm_core::validate::{
    Listing, Searchable, allowed_search_keys, check_search_key, eui_is_valid, filter_by_search,
    iqn_is_valid, iscsi_name_is_valid, naa_is_valid, normalize_init_id, vpd83_is_valid,
    wwpn_normalize,
};
use lsm_core::{ErrorNumber, InitiatorType, NfsExport, Volume};

#[test]
fn vpd83_formats() {
    assert!(vpd83_is_valid(""));
    assert!(vpd83_is_valid("501094cf69bf3bec"));
    assert!(vpd83_is_valid("2000000000000000"));
    assert!(vpd83_is_valid("3ABCDEF012345678"));
    assert!(vpd83_is_valid(&format!("6{}", "a".repeat(31))));
    assert!(vpd83_is_valid("600508b1001c79ade5178f0626caaa9c"));
    assert!(
        vpd83_is_valid("600508B1001C9A5A5A5A5A5A5A5A5A5A"),
        "upper case"
    );

    assert!(!vpd83_is_valid("5001405"), "too short");
    assert!(
        !vpd83_is_valid(&format!("6{}", "a".repeat(30))),
        "6 + 30 hex"
    );
    assert!(
        !vpd83_is_valid(&format!("6{}", "a".repeat(32))),
        "6 + 32 hex"
    );
    assert!(!vpd83_is_valid("6001405"), "6 needs 31 hex digits");
    assert!(!vpd83_is_valid("501094cf69bf3be"), "5 + 14 hex");
    assert!(!vpd83_is_valid("501094cf69bf3bec0"), "5 + 16 hex");
    assert!(!vpd83_is_valid("401094cf69bf3bec"), "NAA 4 is not allowed");
    assert!(!vpd83_is_valid("5g1094cf69bf3bec"), "non-hex digit");
    assert!(!vpd83_is_valid(" 501094cf69bf3bec"));
    assert!(!vpd83_is_valid("6"));
    assert!(!vpd83_is_valid("7000000000000001"), "NAA 7 is not allowed");
    assert!(!vpd83_is_valid("1000000000000001"), "NAA 1 is not allowed");
    assert!(!vpd83_is_valid("0x50014ee0abcdef"), "no 0x prefix");
}

#[test]
fn iscsi_names() {
    assert!(iqn_is_valid("iqn.1994-05.com.example:host1"));
    assert!(iqn_is_valid(
        "iqn.2003-01.org.linux-iscsi.host.x8664:sn.e4a8d2c1"
    ));
    assert!(iqn_is_valid("IQN.1994-05.com.redhat"));
    assert!(!iqn_is_valid("iqn."));
    assert!(!iqn_is_valid("iqn.1994-05."));
    assert!(!iqn_is_valid("iqn.94-05.com.example"));
    assert!(!iqn_is_valid("iqn.1994-05.com.example host"));
    assert!(!iqn_is_valid("iqn1994-05.com.example"));
    assert!(!iqn_is_valid("1994-05.com.example"));

    assert!(eui_is_valid("eui.02004567A425678D"));
    assert!(!eui_is_valid("eui.02004567A425678"));
    assert!(naa_is_valid("naa.52004567BA64678D"));
    assert!(naa_is_valid("naa.62004567BA64678D0123456789ABCDEF"));
    assert!(!naa_is_valid("naa.xyz"));

    assert!(iscsi_name_is_valid("eui.02004567A425678D"));
    assert!(!iscsi_name_is_valid("hostname"));
    assert!(!iscsi_name_is_valid("é"));
}

#[test]
fn wwpn_forms_normalise_to_lowercase_colons() {
    let expected = Some("aa:bb:cc:dd:ee:ff:00:11".to_string());
    assert_eq!(wwpn_normalize("aabbccddeeff0011"), expected);
    assert_eq!(wwpn_normalize("AA:BB:CC:DD:EE:FF:00:11"), expected);
    assert_eq!(wwpn_normalize("aa-bb-cc-dd-ee-ff-00-11"), expected);
    assert_eq!(wwpn_normalize("AA.BB.CC.DD.EE.FF.00.11"), expected);
    assert_eq!(wwpn_normalize("0xAABBCCDDEEFF0011"), expected);
    assert_eq!(wwpn_normalize("0Xaa:bb:cc:dd:ee:ff:00:11"), expected);

    assert_eq!(wwpn_normalize(""), None);
    assert_eq!(wwpn_normalize("aabbccddeeff001"), None, "15 digits");
    assert_eq!(wwpn_normalize("aabbccddeeff001122"), None, "18 digits");
    assert_eq!(wwpn_normalize("aa:bb:cc:dd:ee:ff:00:1g"), None);
    assert_eq!(wwpn_normalize("aa::bb:cc:dd:ee:ff:00:11"), None);
    assert_eq!(wwpn_normalize(":aa:bb:cc:dd:ee:ff:00:11"), None);
    assert_eq!(wwpn_normalize("aa:bb:cc:dd:ee:ff:00:11:"), None);
    assert_eq!(wwpn_normalize("a:ab:bc:cd:de:ef:f0:011"), None);
}

#[test]
fn initiator_ids_are_checked_against_their_type() {
    let (id, kind) =
        normalize_init_id("AA-BB-CC-DD-EE-FF-00-11", InitiatorType::WWPN).expect("wwpn");
    assert_eq!(id, "aa:bb:cc:dd:ee:ff:00:11");
    assert_eq!(kind, InitiatorType::WWPN);

    let (id, kind) =
        normalize_init_id("iqn.1994-05.com.example:host1", InitiatorType::ISCSI_IQN).expect("iqn");
    assert_eq!(id, "iqn.1994-05.com.example:host1");
    assert_eq!(kind, InitiatorType::ISCSI_IQN);

    let wrong = normalize_init_id("iqn.1994-05.com.example:host1", InitiatorType::WWPN);
    assert!(wrong.is_err_and(
        |e| e.code == ErrorNumber::INVALID_ARGUMENT && e.message.contains("invalid WWPN")
    ));
    let wrong = normalize_init_id("aabbccddeeff0011", InitiatorType::ISCSI_IQN);
    assert!(wrong.is_err_and(|e| e.message.contains("iSCSI")));
    assert!(normalize_init_id("", InitiatorType::UNKNOWN).is_err());
    assert!(normalize_init_id("aabbccddeeff0011", InitiatorType(99)).is_err());
}

#[test]
fn initiator_type_is_guessed_for_unknown_other_and_mixed() {
    for kind in [
        InitiatorType::UNKNOWN,
        InitiatorType::OTHER,
        InitiatorType::ISCSI_WWPN_MIXED,
    ] {
        assert_eq!(
            normalize_init_id("0x5001438002A3B2C1", kind).expect("wwpn"),
            ("50:01:43:80:02:a3:b2:c1".to_string(), InitiatorType::WWPN)
        );
        assert_eq!(
            normalize_init_id("eui.02004567A425678D", kind).expect("eui"),
            ("eui.02004567A425678D".to_string(), InitiatorType::ISCSI_IQN)
        );
        assert!(normalize_init_id("my-host", kind).is_err());
    }
}

#[test]
fn search_keys_follow_the_protocol_table() {
    assert_eq!(allowed_search_keys(Listing::Pools), ["id", "system_id"]);
    assert_eq!(
        allowed_search_keys(Listing::Volumes),
        ["id", "system_id", "pool_id"]
    );
    assert_eq!(
        allowed_search_keys(Listing::Fs),
        ["id", "system_id", "pool_id"]
    );
    assert_eq!(allowed_search_keys(Listing::Exports), ["id", "fs_id"]);
    for listing in [
        Listing::Disks,
        Listing::AccessGroups,
        Listing::TargetPorts,
        Listing::Batteries,
    ] {
        assert_eq!(allowed_search_keys(listing), ["id", "system_id"]);
    }

    assert!(check_search_key(Listing::Volumes, "pool_id").is_ok());
    let error = check_search_key(Listing::Volumes, "bad_key").expect_err("bad key");
    assert_eq!(error.code, ErrorNumber::UNSUPPORTED_SEARCH_KEY);
    assert_eq!(error.code.value(), 510);
    assert!(error.message.contains("\"bad_key\""));
    assert!(error.message.contains("volumes"));
    assert!(error.message.contains("id, system_id, pool_id"));
    assert!(check_search_key(Listing::Pools, "pool_id").is_err());
}

#[test]
fn search_filters_by_exact_string_equality() {
    let volume = |id: &str, pool: &str| Volume {
        id: id.into(),
        pool_id: pool.into(),
        system_id: "sim-01".into(),
        ..Volume::default()
    };
    let volumes = vec![volume("v1", "p1"), volume("v2", "p2"), volume("v3", "p1")];
    assert_eq!(volumes[0].search_value("pool_id"), Some("p1"));
    assert_eq!(volumes[0].search_value("fs_id"), None);

    let in_p1 = filter_by_search(
        Listing::Volumes,
        volumes.clone(),
        Some("pool_id"),
        Some("p1"),
    )
    .expect("filter");
    let ids: Vec<&str> = in_p1.iter().map(|v| v.id.as_str()).collect();
    assert_eq!(ids, ["v1", "v3"]);

    let all = filter_by_search(Listing::Volumes, volumes.clone(), None, None).expect("all");
    assert_eq!(all.len(), 3);
    let none = filter_by_search(Listing::Volumes, volumes.clone(), Some("id"), Some("v"))
        .expect("exact match only");
    assert!(none.is_empty());
    let bad = filter_by_search(Listing::Volumes, volumes.clone(), Some("name"), Some("x"));
    assert!(bad.is_err_and(|e| e.code == ErrorNumber::UNSUPPORTED_SEARCH_KEY));
    let no_value = filter_by_search(Listing::Volumes, volumes, Some("id"), None);
    assert!(no_value.is_err_and(|e| e.code == ErrorNumber::INVALID_ARGUMENT));

    let export = NfsExport {
        id: "E1".into(),
        fs_id: "FS1".into(),
        ..NfsExport::default()
    };
    assert_eq!(export.search_value("fs_id"), Some("FS1"));
    assert_eq!(export.search_value("system_id"), None);
}

//! Searches of the listings (protocol doc §4.7): typed for clients, one type per listing
//! ([`PoolSearch`], [`VolumeSearch`], ...) whose variants are the keys that listing takes, so
//! a key a listing does not take does not compile; and [`Search`], the checked key and value
//! a plugin receives. On the wire both are the same `search_key` / `search_value` strings.
//!
//! ```
//! use lsm_core::search::{ListingSearch, VolumeSearch};
//!
//! let in_pool = VolumeSearch::PoolId("POOL_ID_00001");
//! assert_eq!((in_pool.key(), in_pool.value()), ("pool_id", "POOL_ID_00001"));
//! // Keys read at run time (a command line, a config file) are checked: 510 otherwise.
//! assert!(VolumeSearch::from_key("fs_id", "FS_1").is_err());
//! ```

use crate::error::{LsmError, Result};
use crate::validate::{Listing, check_search_key};

/// A search as a plugin receives it: the key is one of the listing's keys (the runner
/// checked it). The runner filters the plugin's answer with it anyway, so a plugin may
/// ignore it or use it to ask the array for less.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Search {
    /// The wire `search_key`: `id`, `system_id`, `pool_id` or `fs_id`.
    pub key: String,
    /// The wire `search_value`: the id searched for.
    pub value: String,
}

impl Search {
    /// True when `value` is what this search wants for this key.
    pub fn matches(&self, key: &str, value: &str) -> bool {
        self.key == key && self.value == value
    }
}

/// The typed search of one listing: its variants are the listing's keys, each holding the id
/// searched for.
pub trait ListingSearch<'a>: Sized + Copy {
    /// The listing this search is for.
    const LISTING: Listing;

    /// The wire `search_key`.
    fn key(&self) -> &'static str;

    /// The wire `search_value`: the id searched for.
    fn value(&self) -> &'a str;

    /// The search for a wire key read at run time: `UNSUPPORTED_SEARCH_KEY` (510), naming the
    /// keys the listing takes, for any other key.
    fn from_key(key: &str, value: &'a str) -> Result<Self>;
}

/// The error of a key `listing` does not take: the search key check's (510), or a library
/// bug should the check take it (the tests pin the keys of each typed search to the check's).
fn unsupported(listing: Listing, key: &str) -> LsmError {
    check_search_key(listing, key).err().unwrap_or_else(|| {
        LsmError::lib_bug(format!(
            "the typed search of {} lacks the key {key:?}",
            listing.method()
        ))
    })
}

/// Declares the typed search of a listing: an enum of its keys and its [`ListingSearch`].
macro_rules! listing_search {
    ($(
        $(#[$meta:meta])*
        $name:ident for $listing:ident {
            $( $(#[$variant_meta:meta])* $variant:ident => $key:literal ),+ $(,)?
        }
    )*) => {$(
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name<'a> {
            $( $(#[$variant_meta])* $variant(&'a str), )+
        }

        impl<'a> ListingSearch<'a> for $name<'a> {
            const LISTING: Listing = Listing::$listing;

            fn key(&self) -> &'static str {
                match self {
                    $( $name::$variant(_) => $key, )+
                }
            }

            fn value(&self) -> &'a str {
                match *self {
                    $( $name::$variant(value) => value, )+
                }
            }

            fn from_key(key: &str, value: &'a str) -> Result<Self> {
                match key {
                    $( $key => Ok($name::$variant(value)), )+
                    _ => Err(unsupported(Listing::$listing, key)),
                }
            }
        }
    )*};
}

listing_search! {
    /// A search of `pools`: by `id` or `system_id`.
    PoolSearch for Pools {
        /// The pool of this id.
        Id => "id",
        /// The pools of this system.
        SystemId => "system_id",
    }
    /// A search of `volumes`: by `id`, `system_id` or `pool_id`.
    VolumeSearch for Volumes {
        /// The volume of this id.
        Id => "id",
        /// The volumes of this system.
        SystemId => "system_id",
        /// The volumes of this pool.
        PoolId => "pool_id",
    }
    /// A search of `disks`: by `id` or `system_id`.
    DiskSearch for Disks {
        /// The disk of this id.
        Id => "id",
        /// The disks of this system.
        SystemId => "system_id",
    }
    /// A search of `access_groups`: by `id` or `system_id`.
    AccessGroupSearch for AccessGroups {
        /// The access group of this id.
        Id => "id",
        /// The access groups of this system.
        SystemId => "system_id",
    }
    /// A search of `fs`: by `id`, `system_id` or `pool_id`.
    FsSearch for Fs {
        /// The file system of this id.
        Id => "id",
        /// The file systems of this system.
        SystemId => "system_id",
        /// The file systems of this pool.
        PoolId => "pool_id",
    }
    /// A search of `exports`: by `id` or `fs_id`.
    ExportSearch for Exports {
        /// The export of this id.
        Id => "id",
        /// The exports of this file system.
        FsId => "fs_id",
    }
    /// A search of `target_ports`: by `id` or `system_id`.
    TargetPortSearch for TargetPorts {
        /// The target port of this id.
        Id => "id",
        /// The target ports of this system.
        SystemId => "system_id",
    }
    /// A search of `batteries`: by `id` or `system_id`.
    BatterySearch for Batteries {
        /// The battery of this id.
        Id => "id",
        /// The batteries of this system.
        SystemId => "system_id",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorNumber;
    use crate::validate::allowed_search_keys;

    /// Every key of `allowed_search_keys(S::LISTING)` makes a search of that key, and no
    /// other key does.
    fn keys_are_the_listings<S: ListingSearch<'static> + std::fmt::Debug>() {
        for key in allowed_search_keys(S::LISTING) {
            let search = S::from_key(key, "x").unwrap();
            assert_eq!((search.key(), search.value()), (*key, "x"), "{search:?}");
        }
        for key in ["id", "system_id", "pool_id", "fs_id", "name", ""] {
            if !allowed_search_keys(S::LISTING).contains(&key) {
                let error = S::from_key(key, "x").unwrap_err();
                assert_eq!(error.code, ErrorNumber::UNSUPPORTED_SEARCH_KEY, "{key}");
                assert!(error.message.contains(S::LISTING.method()), "{error}");
            }
        }
    }

    #[test]
    fn each_typed_search_has_exactly_its_listings_wire_keys() {
        keys_are_the_listings::<PoolSearch>();
        keys_are_the_listings::<VolumeSearch>();
        keys_are_the_listings::<DiskSearch>();
        keys_are_the_listings::<AccessGroupSearch>();
        keys_are_the_listings::<FsSearch>();
        keys_are_the_listings::<ExportSearch>();
        keys_are_the_listings::<TargetPortSearch>();
        keys_are_the_listings::<BatterySearch>();
    }

    #[test]
    fn a_search_matches_its_key_and_value_only() {
        let search = Search {
            key: "pool_id".into(),
            value: "P1".into(),
        };
        assert!(search.matches("pool_id", "P1"));
        assert!(!search.matches("pool_id", "P2"));
        assert!(!search.matches("id", "P1"));
    }
}

//! The simulated arrays of `lsm-arraysim` as the benches use them: making many volumes
//! (not timed) and a bare `lsm-rest` client fetching the pages the plugin's `volumes()`
//! fetches (same paths, page sizes and `fields=`), each page parsed into a
//! `serde_json::Value`: the same HTTP + TLS stack as the plugin, so the ratio is what the
//! plugin adds.

pub mod nexenta;
pub mod ontap;
pub mod unity;

use lsm_test_support::ArraySim;

/// One vendor plugin and its simulator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vendor {
    Ontap,
    Nexenta,
    Unity,
}

/// A listing of every volume by the bare client: how many it found.
pub type BareLister = Box<dyn FnMut() -> Result<usize, String>>;

impl Vendor {
    pub const ALL: [Vendor; 3] = [Vendor::Ontap, Vendor::Nexenta, Vendor::Unity];

    /// `lsm-arraysim --vendor` of it.
    pub fn simulator(self) -> &'static str {
        match self {
            Vendor::Ontap => "ontap",
            Vendor::Nexenta => "nexenta",
            Vendor::Unity => "unity",
        }
    }

    /// The plugin's executable and the package that builds it.
    pub fn plugin(self) -> (&'static str, &'static str) {
        match self {
            Vendor::Ontap => ("ontap_lsmplugin", "plugin-netapp"),
            Vendor::Nexenta => ("nstor_lsmplugin", "plugin-nexenta"),
            Vendor::Unity => ("emc_lsmplugin", "plugin-emc"),
        }
    }

    /// What the array calls the objects the plugin lists as volumes.
    pub fn volumes_are(self) -> &'static str {
        match self {
            Vendor::Ontap | Vendor::Unity => "LUNs",
            Vendor::Nexenta => "zvols",
        }
    }

    /// Makes `count` volumes on `sim` (besides its default inventory).
    pub fn populate_volumes(self, sim: &ArraySim, count: usize) -> Result<(), String> {
        match self {
            Vendor::Ontap => ontap::populate_luns(sim, count),
            Vendor::Nexenta => {
                nexenta::populate(sim, count, "/storage/volumes", nexenta::bench_zvol)
            }
            Vendor::Unity => unity::populate(&unity::session(sim)?, count),
        }
    }

    /// A bare client of `sim`, logged in, listing what the plugin's `volumes()` lists.
    pub fn bare_volume_lister(self, sim: &ArraySim) -> Result<BareLister, String> {
        Ok(match self {
            Vendor::Ontap => {
                let bare = ontap::BareClient::new(sim);
                Box::new(move || bare.luns().map(|records| records.len()))
            }
            Vendor::Nexenta => {
                let rest = nexenta::logged_in(sim)?;
                Box::new(move || nexenta::bare_volumes(&rest))
            }
            Vendor::Unity => {
                let rest = unity::session(sim)?;
                Box::new(move || unity::bare_volumes(&rest))
            }
        })
    }
}

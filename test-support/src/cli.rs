//! [`Cli`]: the workspace's lsmcli, run against one URI, as an admin would (exit code,
//! output, `-t ,` rows).

use std::process::Command;

/// One lsmcli run: exit code, stdout, stderr.
pub struct Run {
    /// The exit code (`None`: killed by a signal).
    pub code: Option<i32>,
    /// Standard output.
    pub out: String,
    /// Standard error.
    pub err: String,
}

/// lsmcli for one URI and password, with the workspace's plugins.
pub struct Cli {
    uri: String,
    password: String,
}

impl Cli {
    /// lsmcli `-u uri` with `LSMCLI_PASSWORD=password`.
    pub fn new(uri: &str, password: &str) -> Cli {
        Cli {
            uri: uri.to_string(),
            password: password.to_string(),
        }
    }

    /// Runs lsmcli with `args`.
    pub fn run(&self, args: &[&str]) -> Run {
        let output = Command::new(crate::workspace_binary("lsmcli", "lsmcli"))
            .arg("-u")
            .arg(&self.uri)
            .args(args)
            .env("LSMCLI_PASSWORD", &self.password)
            .env("LSM_PLUGIN_PATH", crate::bin_dir())
            .env_remove("LSM_UDS_PATH")
            .env_remove("LSMCLI_URI")
            .output()
            .unwrap();
        Run {
            code: output.status.code(),
            out: String::from_utf8_lossy(&output.stdout).to_string(),
            err: String::from_utf8_lossy(&output.stderr).to_string(),
        }
    }

    /// Runs and requires exit 0; the stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let run = self.run(args);
        assert_eq!(
            run.code,
            Some(0),
            "lsmcli {args:?} failed:\n{}{}",
            run.out,
            run.err
        );
        run.out
    }

    /// The `-t,` rows of a command's output, split into cells.
    pub fn rows(&self, args: &[&str]) -> Vec<Vec<String>> {
        let mut full = vec!["-t", ","];
        full.extend_from_slice(args);
        self.ok(&full)
            .lines()
            .map(|line| line.split(',').map(|c| c.trim().to_string()).collect())
            .collect()
    }

    /// The id (first cell) of the row a create command prints.
    pub fn create(&self, args: &[&str]) -> String {
        let rows = self.rows(args);
        let id = rows
            .first()
            .and_then(|row| row.first())
            .filter(|id| !id.is_empty())
            .unwrap_or_else(|| panic!("lsmcli {args:?} printed no object: {rows:?}"));
        id.clone()
    }

    /// The first cells (ids) of a listing's rows.
    pub fn ids(&self, args: &[&str]) -> Vec<String> {
        self.rows(args)
            .into_iter()
            .filter_map(|row| row.into_iter().next())
            .filter(|id| !id.is_empty())
            .collect()
    }
}

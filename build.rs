//! Rebuilds loa when a migration is added: `embed_migrations!` reads the
//! `migrations/` folders at compile time, and cargo does not otherwise
//! notice a new folder in them.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}

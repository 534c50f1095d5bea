//! The `corsica` command.
fn main() {
    println!("corsica: not yet implemented");
}

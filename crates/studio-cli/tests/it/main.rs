//! The eco-studio command line, end to end, and the bulk generator it
//! drives, against a throwaway PostgreSQL.

mod cli;
mod generate;
mod vault;
mod workflows;

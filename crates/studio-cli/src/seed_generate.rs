//! `eco-studio seed generate`: fills the registry with a generated estate,
//! printing progress as it goes.

use std::process::ExitCode;
use std::sync::Mutex;
use std::time::Instant;

use anyhow::Result;
use studio_bench::generate::{self, GenerateOptions, GeneratePhase, GenerateProgress};
use studio_core::startup::{self, DatabaseTarget};
use studio_core::{Actor, Source};

/// Rows between two progress lines.
const EVERY: u64 = 100_000;

pub async fn run(target: &DatabaseTarget, entities: u64, seed: u64, wide: u64) -> Result<ExitCode> {
    let options = GenerateOptions {
        entities,
        seed,
        wide,
    };
    // Refuse bad sizes before starting anything.
    options.validate()?;
    let opened = startup::open_as(target, startup::Identity::Maintenance, |_| {}).await?;
    let actor = Actor::for_session(&opened.pool, Source::Cli).await?;
    let started = Instant::now();
    let last = Mutex::new((GeneratePhase::Analyze, 0u64));
    let progress = |p: GenerateProgress| {
        let Ok(mut last) = last.lock() else { return };
        let line = match p.phase {
            GeneratePhase::Entities
            | GeneratePhase::Names
            | GeneratePhase::Values
            | GeneratePhase::Tags => {
                let fresh = last.0 != p.phase;
                if !(fresh || p.done / EVERY > last.1 / EVERY || p.done == p.total) {
                    return;
                }
                if !fresh && p.done == last.1 {
                    return;
                }
                format!("{:>9} / {} {}", p.done, p.total, p.phase.label())
            }
            GeneratePhase::ReadModel if p.done == 0 => "building the read model".to_string(),
            GeneratePhase::ReadModel => "read model built".to_string(),
            GeneratePhase::Indexes if p.done < p.total => {
                format!("recreating index or key {} of {}", p.done + 1, p.total)
            }
            GeneratePhase::Indexes => "indexes and keys recreated".to_string(),
            GeneratePhase::Analyze if p.done == 0 => "committed; vacuum and analyze".to_string(),
            GeneratePhase::Analyze => return,
        };
        *last = (p.phase, p.done);
        println!("[{:>6.1}s] {line}", started.elapsed().as_secs_f64());
    };
    let report = generate::generate(&opened.pool, &actor, &options, &progress)
        .await?
        .value;
    println!(
        "generated {} entities (seed {}) in {:.1}s: {} tenants, {} entity types, {} names with \"{}\"",
        report.entities,
        report.seed,
        started.elapsed().as_secs_f64(),
        report.tenants,
        report.entity_types,
        report.rare_names,
        generate::RARE_WORD,
    );
    println!("first tenant: {}", report.first_tenant);
    if let Some(wide) = &report.wide_parent {
        println!("{} children under {wide}", report.wide);
    }
    println!(
        "{} property values, {} tags given",
        report.property_values, report.tag_assignments
    );
    if !report.rebuilt_indexes.is_empty() {
        println!(
            "rebuilt indexes and keys: {}",
            report.rebuilt_indexes.join(", ")
        );
    }
    Ok(ExitCode::SUCCESS)
}

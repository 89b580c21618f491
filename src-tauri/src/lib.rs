//! The desktop shell: the window, logging, start-up and the typed commands.
//! Domain rules and SQL live in `studio-core`; this crate only wires them.

pub mod bindings;
pub mod commands;
pub mod error;
pub mod events;
pub mod offline;
pub mod state;
pub mod window_state;

use studio_core::startup::{self, DatabaseKind, DatabaseTarget, Identity};
use studio_core::{demo, Actor, Source};
use tauri::{Manager, RunEvent};
use tauri_specta::Event;

use crate::error::AppError;
use crate::events::StartupEvent;
use crate::state::{AppState, Ready, StartupStatus};
use crate::window_state::WindowMemory;

/// The commands and events of the window, for a given runtime.
#[macro_export]
macro_rules! specta_builder {
    ($runtime:ty) => {
        tauri_specta::Builder::<$runtime>::new()
            .commands(tauri_specta::collect_commands![
                $crate::commands::startup::startup_status,
                $crate::commands::startup::startup_painted,
                $crate::commands::registry::list_roots,
                $crate::commands::registry::list_children,
                $crate::commands::registry::get_entity,
                $crate::commands::registry::subtree_count,
                $crate::commands::registry::search_entities,
                $crate::commands::registry::entity_history,
                $crate::commands::registry::create_entity,
                $crate::commands::registry::rename_entity,
                $crate::commands::registry::move_entity,
                $crate::commands::registry::delete_entity,
                $crate::commands::registry::restore_entity,
                $crate::commands::registry::purge_entity,
                $crate::commands::registry::list_trash,
                $crate::commands::jobs::cancel_job,
                $crate::commands::jobs::running_jobs,
                $crate::commands::types::list_entity_types,
                $crate::commands::types::create_entity_type,
                $crate::commands::types::update_entity_type,
                $crate::commands::types::delete_entity_type,
                $crate::commands::types::restore_entity_type,
                $crate::commands::properties::list_property_groups,
                $crate::commands::properties::create_property_group,
                $crate::commands::properties::update_property_group,
                $crate::commands::properties::delete_property_group,
                $crate::commands::properties::restore_property_group,
                $crate::commands::properties::reorder_property_groups,
                $crate::commands::properties::list_property_definitions,
                $crate::commands::properties::property_definition_impact,
                $crate::commands::properties::create_property_definition,
                $crate::commands::properties::update_property_definition,
                $crate::commands::properties::delete_property_definition,
                $crate::commands::properties::restore_property_definition,
                $crate::commands::properties::type_layout,
                $crate::commands::properties::set_type_layout,
                $crate::commands::properties::property_pane,
                $crate::commands::properties::set_property_values,
                $crate::commands::properties::restore_properties,
                $crate::commands::links::list_tag_groups,
                $crate::commands::links::create_tag_group,
                $crate::commands::links::update_tag_group,
                $crate::commands::links::delete_tag_group,
                $crate::commands::links::restore_tag_group,
                $crate::commands::links::list_tags,
                $crate::commands::links::create_tag,
                $crate::commands::links::update_tag,
                $crate::commands::links::entity_tags,
                $crate::commands::links::tagged_entities,
                $crate::commands::links::edit_entity_tags,
                $crate::commands::links::entity_group,
                $crate::commands::links::configure_group,
                $crate::commands::links::group_members,
                $crate::commands::links::groups_of,
                $crate::commands::links::edit_group_members,
                $crate::commands::links::create_relationship,
                $crate::commands::links::delete_relationship,
                $crate::commands::links::relationships_of,
                $crate::commands::links::relationship_types,
                $crate::commands::links::neighbourhood,
                $crate::commands::bulk::bulk_preview,
                $crate::commands::bulk::bulk_edit,
                $crate::commands::people::current_session,
                $crate::commands::people::list_people,
                $crate::commands::people::add_person,
                $crate::commands::people::deactivate_person,
                $crate::commands::people::list_scopes,
                $crate::commands::people::grant_scope,
                $crate::commands::people::revoke_scope,
                $crate::commands::people::start_view_as,
                $crate::commands::people::stop_view_as,
                $crate::commands::people::viewing_as,
                $crate::commands::signin::list_profiles,
                $crate::commands::signin::save_profile,
                $crate::commands::signin::remove_profile,
                $crate::commands::signin::sign_in,
                $crate::commands::signin::profile_passwords,
                $crate::commands::signin::remember_profile_password,
                $crate::commands::signin::forget_profile_password,
                $crate::commands::signin::test_connection,
                $crate::commands::signin::welcome_needed,
                $crate::commands::signin::finish_welcome,
                $crate::commands::vault::vault_status,
                $crate::commands::vault::vault_unlock,
                $crate::commands::vault::vault_lock,
                $crate::commands::vault::vault_set_idle,
                $crate::commands::vault::vault_create_key,
                $crate::commands::vault::vault_rotate,
                $crate::commands::vault::vault_set_minimum,
                $crate::commands::vault::vault_rewrap,
                $crate::commands::vault::list_secrets,
                $crate::commands::vault::secret_versions,
                $crate::commands::vault::create_secret,
                $crate::commands::vault::write_secret,
                $crate::commands::vault::reveal_secret,
                $crate::commands::dashboards::list_dashboards,
                $crate::commands::dashboards::get_dashboard,
                $crate::commands::dashboards::save_dashboard,
                $crate::commands::dashboards::delete_dashboard,
                $crate::commands::dashboards::restore_dashboard,
                $crate::commands::dashboards::widget_data,
                $crate::commands::dashboards::list_metrics,
                $crate::commands::dashboards::import_readings,
                $crate::commands::dashboards::list_alerts,
                $crate::commands::dashboards::alert_counts,
                $crate::commands::dashboards::raise_alert,
                $crate::commands::dashboards::acknowledge_alert,
                $crate::commands::dashboards::resolve_alert,
                $crate::commands::dashboards::save_widget_export,
                $crate::commands::import::pack_list,
                $crate::commands::import::pack_install,
                $crate::commands::import::pack_uninstall,
                $crate::commands::import::import_inspect,
                $crate::commands::import::import_preview,
                $crate::commands::import::import_start,
                $crate::commands::import::import_runs,
                $crate::commands::import::import_presets,
                $crate::commands::import::import_preset_save,
                $crate::commands::import::import_preset_delete,
                $crate::commands::workflows::list_workflows,
                $crate::commands::workflows::get_workflow,
                $crate::commands::workflows::create_workflow,
                $crate::commands::workflows::save_workflow_draft,
                $crate::commands::workflows::check_workflow,
                $crate::commands::workflows::publish_workflow,
                $crate::commands::workflows::set_workflow_enabled,
                $crate::commands::workflows::delete_workflow,
                $crate::commands::workflows::restore_workflow,
                $crate::commands::workflows::workflow_version,
                $crate::commands::workflows::diff_workflow_versions,
                $crate::commands::workflows::test_run_workflow,
                $crate::commands::workflows::run_workflow,
                $crate::commands::workflows::list_executions,
                $crate::commands::workflows::get_execution,
                $crate::commands::workflows::cancel_execution,
                $crate::commands::workflows::retry_execution,
                $crate::commands::workflows::list_approvals,
                $crate::commands::workflows::vote_approval,
                $crate::commands::workflows::list_notifications,
                $crate::commands::workflows::mark_notifications_read,
                $crate::commands::views::list_views,
                $crate::commands::views::view_page,
                $crate::commands::views::view_count,
                $crate::commands::views::create_view,
                $crate::commands::views::update_view,
                $crate::commands::views::duplicate_view,
                $crate::commands::views::delete_view,
                $crate::commands::views::restore_view,
                $crate::commands::views::view_tree,
                $crate::commands::views::check_view,
                $crate::commands::views::type_default_views,
                $crate::commands::views::set_type_default_view,
                $crate::commands::views::generated_type_view,
                $crate::commands::views::export_view,
                $crate::commands::views::suggest_export_path,
                $crate::commands::offline::offline_overview,
                $crate::commands::offline::offline_size,
                $crate::commands::offline::offline_add,
                $crate::commands::offline::offline_cancel,
                $crate::commands::offline::offline_refresh,
                $crate::commands::offline::offline_remove,
                $crate::commands::offline::offline_outbox,
                $crate::commands::offline::offline_resolve,
                $crate::commands::offline::offline_sync,
                $crate::commands::offline::offline_export,
            ])
            .events(tauri_specta::collect_events![
                $crate::events::StartupEvent,
                $crate::events::RegistryChanged,
                $crate::events::JobProgress,
                $crate::offline::OfflineChanged,
                $crate::offline::OfflineProgress,
            ])
            .disable_serde_phases()
            .dangerously_cast_bigints_to_number()
    };
}

pub fn run() {
    let builder = specta_builder!(tauri::Wry);
    let app = tauri::Builder::default()
        .manage(AppState::new())
        .manage(WindowMemory::new(
            studio_core::profiles::Profiles::default_location()
                .dir()
                .to_path_buf(),
        ))
        .invoke_handler(builder.invoke_handler())
        .on_window_event(|window, event| window.state::<WindowMemory>().note(window, event))
        .setup(move |app| {
            builder.mount_events(app);
            let log_guard = init_logging(app.handle());
            app.manage(LogGuard { _guard: log_guard });
            if let Some(window) = app.get_webview_window("main") {
                app.state::<WindowMemory>().restore(&window);
            }
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move { open_database(handle).await });
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move { exit_on_signal(handle).await });
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move { lock_vault_when_idle(handle).await });
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move { offline::watch(handle).await });
            Ok(())
        })
        .build(tauri::generate_context!())
        .expect("the Eco Studio window could not be created");

    app.run(|handle, event| {
        if let RunEvent::Exit = event {
            handle.state::<WindowMemory>().persist();
            let state = handle.state::<AppState>();
            state.stop_runner();
            if let Some(db) = state.take_for_close() {
                match tauri::async_runtime::block_on(startup::close(db)) {
                    Ok(true) => tracing::info!("stopped the local database"),
                    Ok(false) => tracing::info!("left the database running (not ours, or in use)"),
                    Err(e) => tracing::warn!("closing the database failed: {e}"),
                }
            }
        }
    });
}

/// Locks the vault once it has been idle past its limit (wiping its keys
/// even when nothing touches it), and tells the windows.
async fn lock_vault_when_idle(handle: tauri::AppHandle) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(2));
    loop {
        tick.tick().await;
        let state = handle.state::<AppState>();
        if state.vault().lock_if_idle() {
            tracing::info!("the vault locked itself after idle time");
            commands::vault::announce_lock(&handle);
        }
    }
}

/// Keeps the log writer flushing until the app ends.
/// SIGTERM or Ctrl-C close the app the same way as closing its window, so
/// the local database is stopped cleanly.
async fn exit_on_signal(handle: tauri::AppHandle) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let Ok(mut term) = signal(SignalKind::terminate()) else {
            return;
        };
        tokio::select! {
            _ = term.recv() => {}
            _ = tokio::signal::ctrl_c() => {}
        }
    }
    #[cfg(not(unix))]
    if tokio::signal::ctrl_c().await.is_err() {
        return;
    }
    tracing::info!("signal received: closing");
    handle.exit(0);
}

struct LogGuard {
    _guard: Option<tracing_appender::non_blocking::WorkerGuard>,
}

/// Logs to the app's log dir (daily files) and to stderr; `ECO_LOG` sets the
/// filter (default `info`).
fn init_logging(handle: &tauri::AppHandle) -> Option<tracing_appender::non_blocking::WorkerGuard> {
    use tracing_subscriber::prelude::*;
    let filter = tracing_subscriber::EnvFilter::try_from_env("ECO_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let stderr = tracing_subscriber::fmt::layer().with_writer(std::io::stderr);
    let (file_layer, guard) = match handle.path().app_log_dir() {
        Ok(dir) if std::fs::create_dir_all(&dir).is_ok() => {
            let appender = tracing_appender::rolling::daily(&dir, "eco-studio.log");
            let (writer, guard) = tracing_appender::non_blocking(appender);
            (
                Some(
                    tracing_subscriber::fmt::layer()
                        .with_ansi(false)
                        .with_writer(writer),
                ),
                Some(guard),
            )
        }
        _ => (None, None),
    };
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(stderr)
        .with(file_layer)
        .try_init();
    guard
}

/// Sets the start-up status and tells the window.
pub(crate) fn publish(handle: &tauri::AppHandle, status: StartupStatus) {
    handle.state::<AppState>().set_status(status.clone());
    if let Err(e) = (StartupEvent { status }).emit(handle) {
        tracing::warn!("could not send the start-up event: {e}");
    }
}

/// Opens the database (the embedded cluster unless `DATABASE_URL` is set),
/// loads the demo registry into a fresh embedded database, and reports each
/// step to the window.
async fn open_database(handle: tauri::AppHandle) {
    let target = DatabaseTarget::from_url_or_default(std::env::var("DATABASE_URL").ok());
    match &target {
        DatabaseTarget::Embedded { root } => {
            tracing::info!("opening the local database in {}", root.display())
        }
        DatabaseTarget::Url(url) => tracing::info!("opening {}", studio_core::db::redact_url(url)),
    }
    let result = async {
        let opened = startup::open(&target, |step| {
            publish(
                &handle,
                StartupStatus::Starting {
                    message: step.message().into(),
                },
            );
        })
        .await?;
        let actor = Actor::for_session(
            &opened.pool,
            Source::Window {
                label: "main".into(),
            },
        )
        .await?;
        if opened.kind == DatabaseKind::Embedded && demo::is_fresh(&opened.pool).await? {
            publish(
                &handle,
                StartupStatus::Starting {
                    message: "Loading the demo registry…".into(),
                },
            );
            // Nothing is on screen yet: the seed's changes need no events.
            let report = demo::seed_demo(&opened.pool, &actor).await?.value;
            tracing::info!("loaded the demo registry: {} entities", report.entities);
        }
        Ok::<_, studio_core::CoreError>(Ready { db: opened, actor })
    }
    .await;
    match result {
        Ok(ready) => {
            tracing::info!(
                "database ready: {} (PostgreSQL {})",
                ready.db.display,
                ready.db.server.version
            );
            handle.state::<AppState>().start_runner(&ready);
            let (info, _, _) = handle.state::<AppState>().set_ready(ready);
            publish(&handle, StartupStatus::Ready { database: info });
        }
        Err(err) => {
            if let Some((ready, _)) =
                offline::start_unreached(&handle, &target, &Identity::Person, &err).await
            {
                let (info, _, _) = handle.state::<AppState>().set_ready(ready);
                publish(&handle, StartupStatus::Ready { database: info });
                offline::announce(&handle, None).await;
                return;
            }
            tracing::error!("opening the database failed: {err}");
            publish(
                &handle,
                StartupStatus::Failed {
                    error: AppError::Startup {
                        message: err.to_string(),
                    },
                },
            );
        }
    }
}

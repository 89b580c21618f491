//! Opening the embedded database end to end: a real private cluster is
//! created, migrated, reused by a second opener, and stopped on close.

use studio_core::people::{self, Login, NewPerson};
use studio_core::startup::{self, DatabaseKind, DatabaseTarget, Identity, OpenStep, Password};
use studio_core::{Actor, CoreError, Source};

struct RemoveOnDrop(std::path::PathBuf);
impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        if let Ok(c) = studio_localdb::Cluster::persistent(&self.0) {
            let _ = c.stop();
        }
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[tokio::test]
async fn embedded_database_opens_migrates_and_stops() {
    let root = std::env::temp_dir().join(format!("eco-startup-{}", uuid::Uuid::now_v7().simple()));
    let _cleanup = RemoveOnDrop(root.clone());
    let target = DatabaseTarget::Embedded { root: root.clone() };

    let mut steps = Vec::new();
    let first = startup::open(&target, |s| steps.push(s))
        .await
        .expect("open the embedded database");
    assert_eq!(
        steps,
        [
            OpenStep::StartingLocalServer,
            OpenStep::Connecting,
            OpenStep::Migrating
        ]
    );
    assert_eq!(first.kind, DatabaseKind::Embedded);
    assert!(
        first.cluster_created && first.cluster_started,
        "the first open creates and starts the cluster"
    );
    assert!(first.server.version.starts_with(char::is_numeric));
    assert!(!first.display.contains("password"));

    // A second opener (another window, the CLI) reuses the running cluster.
    let second = startup::open(&target, |_| {}).await.expect("reopen");
    assert!(
        !second.cluster_created && !second.cluster_started,
        "a running cluster is reused"
    );
    let tables: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'entities'",
    )
    .fetch_one(&second.pool)
    .await
    .unwrap();
    assert_eq!(tables, 1, "the schema is migrated");

    // A person made by the first administrator signs in with the password
    // shown once; over TCP the embedded cluster checks it.
    let admin = Actor::for_session(&second.pool, Source::Startup)
        .await
        .unwrap();
    let added = people::add_person(
        &second.pool,
        &admin,
        &NewPerson {
            role: "field_engineer".into(),
            display_name: "Field Engineer".into(),
            email: None,
            login: Login::NewRoleWithPassword,
            is_admin: false,
        },
    )
    .await
    .expect("the first administrator adds a person")
    .value;
    let password = added.password.expect("a generated password");
    let sign_in = |pw: &str| Identity::SignIn {
        role: "field_engineer".into(),
        password: Password::new(pw),
    };
    assert!(!format!("{:?}", sign_in(&password)).contains(&password));
    let person = startup::open_as(&target, sign_in(&password), |_| {})
        .await
        .expect("the person signs in");
    let session = people::session(&person.pool).await.unwrap();
    assert_eq!(session.role, "field_engineer");
    assert_eq!(session.person.map(|p| p.id), Some(added.person.id));
    let wrong = startup::open_as(&target, sign_in("not-the-password"), |_| {}).await;
    assert!(
        matches!(&wrong, Err(CoreError::Forbidden(m)) if m.contains("refused the sign-in")),
        "{:?}",
        wrong.map(|o| o.display)
    );
    assert!(!startup::close(person).await.unwrap());

    // The first closes while the second is connected: the cluster stays up.
    assert!(
        !startup::close(first).await.unwrap(),
        "a cluster in use by another client is left running"
    );
    let alive: i32 = sqlx::query_scalar("SELECT 1")
        .fetch_one(&second.pool)
        .await
        .expect("still serving");
    assert_eq!(alive, 1);
    // The second did not start it, so it leaves it running too.
    assert!(!startup::close(second).await.unwrap());

    // An opener that starts the cluster stops it when it is the last client.
    studio_localdb::Cluster::persistent(&root)
        .unwrap()
        .stop()
        .unwrap();
    let third = startup::open(&target, |_| {}).await.unwrap();
    assert!(
        third.cluster_started && !third.cluster_created,
        "restarting keeps the data"
    );
    assert!(
        startup::close(third).await.unwrap(),
        "the last client that started it stops it"
    );
    assert!(matches!(
        studio_localdb::Cluster::persistent(&root)
            .unwrap()
            .status()
            .unwrap(),
        studio_localdb::ClusterStatus::Stopped
    ));
}

#[tokio::test]
async fn a_bad_url_is_a_clear_error() {
    let target = DatabaseTarget::Url("not a url".into());
    let err = startup::open(&target, |_| {}).await.unwrap_err();
    assert!(
        err.to_string().contains("invalid database URL"),
        "got: {err}"
    );
    let target = DatabaseTarget::Url("postgres://nobody@127.0.0.1:1/none".into());
    let err = startup::open(&target, |_| {}).await.unwrap_err();
    assert!(
        matches!(err, studio_core::CoreError::Unavailable(_)),
        "an unreachable server is Unavailable: {err:?}"
    );
}

#[tokio::test]
async fn a_database_from_a_newer_build_is_refused_clearly() {
    use studio_core::db::pooling::ExecuteCommitted;
    let db = studio_core::testing::test_db().await;
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
         VALUES (99990101000000, 'from the future', true, '\\x00', 0)",
    )
    .execute_committed(&db.pool)
    .await
    .unwrap();
    // Migrating needs a session of its own: straight to the server.
    let direct = studio_core::db::connect(&db.direct_url).await.unwrap();
    let err = studio_core::db::migrate(&direct).await.unwrap_err();
    assert!(
        err.to_string().contains("newer than this Eco Studio knows"),
        "an older app meeting a newer schema says so: {err}"
    );
}

//! The WordPress anchor (`LOA_LOAD_WORDPRESS=1`): Debian's WordPress 6.1
//! on nginx, php-fpm and MariaDB, without a page cache, serving the
//! reference article with the same three comments as loa's, so that the
//! ratio loa/WordPress comes from one run.
//!
//! Everything it starts has its own configuration, pid file, sockets and
//! logs under `target/loa-load/wordpress/` (MariaDB and php-fpm on Unix
//! sockets, nginx on 127.0.0.1 only), and is stopped by pid at the end.
//! The one file outside it: Debian's WordPress reads its settings from
//! `/etc/wordpress/config-<name>.php`, so a link
//! `/etc/wordpress/config-loa-bench.php` points to this run's file (chosen
//! per request by the `WORDPRESS_CONFIG` FastCGI parameter, so no site's
//! `config-127.0.0.1.php` is touched), and is removed at the end.

use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::{Guard, apt_install, http_get, start_nginx};

/// WordPress's nginx, on 127.0.0.1.
pub const PORT: u16 = 8094;
/// `WORDPRESS_CONFIG`: Debian's wp-config.php then reads
/// `/etc/wordpress/config-loa-bench.php`.
const CONFIG_NAME: &str = "loa-bench";
const CONFIG_LINK: &str = "/etc/wordpress/config-loa-bench.php";

/// The page WordPress publishes (the reference article, as loa stores it).
pub struct Article {
    pub site: String,
    pub title: String,
    pub summary: String,
    pub body_html: String,
    /// `YYYY-MM-DD HH:MM:SS`
    pub date: String,
    pub category: String,
    pub tags: Vec<String>,
    pub comments: Vec<Comment>,
}

pub struct Comment {
    pub author: String,
    pub email: String,
    pub content: String,
    pub date: String,
}

/// A running WordPress; dropping it stops nginx, php-fpm and MariaDB (in
/// that order) and removes the configuration link.
pub struct WordPress {
    /// The article's address (`/?p=ID`).
    pub path: String,
    nginx: Option<Guard>,
    php: Option<Guard>,
    db: Option<Guard>,
}

impl Drop for WordPress {
    fn drop(&mut self) {
        drop(self.nginx.take());
        drop(self.php.take());
        drop(self.db.take());
        remove_link();
    }
}

fn php_fpm() -> Option<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/sbin")
        .ok()?
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with("php-fpm"))
        .map(|e| e.path())
        .collect();
    found.sort();
    found.pop()
}

/// Installs Debian's `wordpress`, `mariadb-server` and `php-fpm` when
/// missing. php-fpm and PHP go first, and Apache is refused: WordPress's
/// package depends on `libapache2-mod-php | php`, and would otherwise pull
/// in Apache and its PHP module.
fn ensure_packages() -> anyhow::Result<PathBuf> {
    let have = |p: &str| Path::new(p).exists();
    if !(have("/usr/share/wordpress/wp-config.php")
        && have("/usr/sbin/mariadbd")
        && have("/usr/bin/mariadb-install-db")
        && have("/usr/bin/php")
        && php_fpm().is_some())
    {
        apt_install(&["php-fpm", "mariadb-server"])?;
        apt_install(&["php", "wordpress", "libapache2-mod-php-", "apache2-"])?;
    }
    php_fpm().context("php-fpm not found in /usr/sbin")
}

fn remove_link() {
    if std::fs::symlink_metadata(CONFIG_LINK).is_ok_and(|m| m.file_type().is_symlink()) {
        let _ = std::fs::remove_file(CONFIG_LINK);
    }
}

fn wait_for_socket(path: &Path, what: &str, log: &Path) -> anyhow::Result<()> {
    let started = Instant::now();
    while UnixStream::connect(path).is_err() {
        if started.elapsed() > Duration::from_secs(60) {
            bail!("{what} did not start (see {})", log.display());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(())
}

fn run(cmd: &mut Command, what: &str) -> anyhow::Result<String> {
    let out = cmd.output().with_context(|| format!("running {what}"))?;
    if !out.status.success() {
        bail!(
            "{what} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Installs the packages if needed, starts MariaDB, php-fpm and nginx on
/// a fresh database under `work/wordpress`, publishes `article` and checks
/// that its page answers 200 with the title and the comments.
pub fn start(work: &Path, article: &Article) -> anyhow::Result<WordPress> {
    let fpm = ensure_packages()?;
    if std::fs::symlink_metadata(CONFIG_LINK).is_ok_and(|m| !m.file_type().is_symlink()) {
        bail!("{CONFIG_LINK} exists and is not this benchmark's link; move it away");
    }
    let dir = work.join("wordpress");
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    std::fs::create_dir_all(dir.join("tmp"))?;
    // php-fpm's workers (www-data) read the configuration and reach the
    // database's socket, nginx's workers php-fpm's.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755))?;
    let user = run(Command::new("id").arg("-un"), "id -un")?
        .trim()
        .to_owned();
    let mut wp = WordPress {
        path: String::new(),
        nginx: None,
        php: None,
        db: None,
    };

    // MariaDB: a new data directory, a Unix socket, no TCP at all.
    let data = dir.join("mysql");
    let socket = dir.join("mysql.sock");
    let db_log = dir.join("mysql.err");
    run(
        Command::new("mariadb-install-db")
            .arg("--no-defaults")
            .arg(format!("--datadir={}", data.display()))
            .arg(format!("--user={user}"))
            .args(["--auth-root-authentication-method=normal", "--skip-test-db"]),
        "mariadb-install-db",
    )?;
    wp.db = Some(Guard(
        Command::new("/usr/sbin/mariadbd")
            .arg("--no-defaults")
            .arg(format!("--datadir={}", data.display()))
            .arg(format!("--socket={}", socket.display()))
            .arg(format!("--pid-file={}", dir.join("mysql.pid").display()))
            .arg(format!("--log-error={}", db_log.display()))
            .arg(format!("--user={user}"))
            .args([
                "--skip-networking",
                "--character-set-server=utf8mb4",
                "--collation-server=utf8mb4_unicode_ci",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("starting mariadbd")?,
    ));
    wait_for_socket(&socket, "MariaDB", &db_log)?;
    run(
        Command::new("mariadb")
            .arg("--no-defaults")
            .arg(format!("--socket={}", socket.display()))
            .args(["-uroot", "-e"])
            .arg("CREATE DATABASE wordpress CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"),
        "mariadb (CREATE DATABASE)",
    )?;

    // WordPress's settings, linked where Debian's wp-config.php looks.
    let config = dir.join("config.php");
    std::fs::write(
        &config,
        format!(
            "<?php\n// loa's load benchmark (benches/load/wordpress.rs); removed at its end.\n\
             define('DB_NAME', 'wordpress');\ndefine('DB_USER', 'root');\n\
             define('DB_PASSWORD', '');\ndefine('DB_HOST', 'localhost:{}');\n",
            socket.display()
        ),
    )?;
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o644))?;
    remove_link();
    std::os::unix::fs::symlink(&config, CONFIG_LINK).with_context(|| {
        format!("linking {CONFIG_LINK} (the WordPress anchor needs root, as apt-get does)")
    })?;

    // WordPress's install step, then the article and its comments, through
    // WordPress's own functions (they keep comment counts, terms and
    // GUIDs consistent, as its editor would).
    let input = dir.join("article.json");
    std::fs::write(
        &input,
        serde_json::json!({
            "site": article.site,
            "url": format!("http://127.0.0.1:{PORT}"),
            "title": article.title,
            "summary": article.summary,
            "body": article.body_html,
            "date": article.date,
            "category": article.category,
            "tags": article.tags,
            "comments": article.comments.iter().map(|c| serde_json::json!({
                "author": c.author,
                "email": c.email,
                "content": c.content,
                "date": c.date,
            })).collect::<Vec<_>>(),
        })
        .to_string(),
    )?;
    let script = dir.join("setup.php");
    std::fs::write(&script, SETUP_PHP.replace("@CONFIG@", CONFIG_NAME))?;
    let id: u64 = run(
        Command::new("php")
            .arg(&script)
            .arg(&input)
            .current_dir(&dir),
        "WordPress's install (setup.php)",
    )?
    .trim()
    .parse()
    .context("setup.php did not print the post's id")?;
    wp.path = format!("/?p={id}");

    // php-fpm with Debian's default pool settings (www.conf).
    let fpm_conf = dir.join("php-fpm.conf");
    let fpm_socket = dir.join("php-fpm.sock");
    let fpm_log = dir.join("php-fpm.log");
    std::fs::write(
        &fpm_conf,
        format!(
            "[global]\npid = {dir}/php-fpm.pid\nerror_log = {log}\ndaemonize = no\n\n\
             [www]\nuser = www-data\ngroup = www-data\nlisten = {sock}\nlisten.mode = 0666\n\
             pm = dynamic\npm.max_children = 5\npm.start_servers = 2\n\
             pm.min_spare_servers = 1\npm.max_spare_servers = 3\n",
            dir = dir.display(),
            log = fpm_log.display(),
            sock = fpm_socket.display()
        ),
    )?;
    wp.php = Some(Guard(
        Command::new(&fpm)
            .arg("--nodaemonize")
            .arg("--fpm-config")
            .arg(&fpm_conf)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("starting php-fpm")?,
    ));
    wait_for_socket(&fpm_socket, "php-fpm", &fpm_log)?;

    // nginx: WordPress's front controller. Debian's fastcgi_params sends
    // the host without its port (WordPress then redirects every page to
    // itself), so the parameters are listed here.
    let server = format!(
        "server {{\n  listen 127.0.0.1:{PORT};\n  root /usr/share/wordpress;\n  index index.php;\n\
         location / {{ try_files $uri $uri/ /index.php?$args; }}\n\
         location ~ \\.php$ {{\n    try_files $uri =404;\n{params}\
         fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;\n\
         fastcgi_param WORDPRESS_CONFIG {CONFIG_NAME};\n\
         fastcgi_pass unix:{sock};\n  }}\n}}\n",
        params = FASTCGI_PARAMS,
        sock = fpm_socket.display()
    );
    wp.nginx = Some(Guard(start_nginx(&dir, &server, PORT)?));

    let (status, page) = http_get(PORT, &wp.path)?;
    let page = String::from_utf8_lossy(&page);
    if status != 200 || !page.contains(&article.title) {
        bail!(
            "WordPress's {} answered HTTP {status}{} (see {})",
            wp.path,
            if status == 200 {
                " without the article's title"
            } else {
                ""
            },
            fpm_log.display()
        );
    }
    let shown = article
        .comments
        .iter()
        .filter(|c| page.contains(&c.author))
        .count();
    if shown != article.comments.len() {
        bail!(
            "WordPress's {} shows {shown} of the {} comments",
            wp.path,
            article.comments.len()
        );
    }
    Ok(wp)
}

const FASTCGI_PARAMS: &str = "    fastcgi_param QUERY_STRING $query_string;
    fastcgi_param REQUEST_METHOD $request_method;
    fastcgi_param CONTENT_TYPE $content_type;
    fastcgi_param CONTENT_LENGTH $content_length;
    fastcgi_param SCRIPT_NAME $fastcgi_script_name;
    fastcgi_param REQUEST_URI $request_uri;
    fastcgi_param DOCUMENT_URI $document_uri;
    fastcgi_param DOCUMENT_ROOT $document_root;
    fastcgi_param SERVER_PROTOCOL $server_protocol;
    fastcgi_param REQUEST_SCHEME $scheme;
    fastcgi_param GATEWAY_INTERFACE CGI/1.1;
    fastcgi_param SERVER_SOFTWARE nginx;
    fastcgi_param REMOTE_ADDR $remote_addr;
    fastcgi_param REMOTE_PORT $remote_port;
    fastcgi_param SERVER_ADDR $server_addr;
    fastcgi_param SERVER_PORT $server_port;
    fastcgi_param SERVER_NAME $host;
    fastcgi_param REDIRECT_STATUS 200;
    fastcgi_param HTTP_HOST $host:$server_port;
";

/// Run with PHP's command line: WordPress's install step (as its installer
/// or `wp core install` does), then the post and its approved comments.
/// Prints the post's id.
const SETUP_PHP: &str = r#"<?php
$_SERVER['WORDPRESS_CONFIG'] = '@CONFIG@';
$_SERVER['HTTP_HOST'] = '127.0.0.1';
$_SERVER['REQUEST_URI'] = '/';
define('WP_INSTALLING', true);
// No mail server: the "new site" mail is not sent.
function wp_new_blog_notification($title, $url, $user_id, $password) {}
$data = json_decode(file_get_contents($argv[1]), true);
require '/usr/share/wordpress/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
require_once ABSPATH . 'wp-admin/includes/taxonomy.php';
$installed = wp_install($data['site'], 'admin', 'admin@example.vn', false, '', wp_generate_password());
if (is_wp_error($installed)) { fwrite(STDERR, $installed->get_error_message()); exit(1); }
update_option('siteurl', $data['url']);
update_option('home', $data['url']);
$category = wp_create_category($data['category']);
$post = wp_insert_post([
    'post_title' => $data['title'],
    'post_excerpt' => $data['summary'],
    'post_content' => $data['body'],
    'post_status' => 'publish',
    'post_date' => $data['date'],
    'post_category' => [$category],
    'tags_input' => $data['tags'],
    'comment_status' => 'open',
], true);
if (is_wp_error($post)) { fwrite(STDERR, $post->get_error_message()); exit(1); }
foreach ($data['comments'] as $c) {
    $id = wp_insert_comment([
        'comment_post_ID' => $post,
        'comment_author' => $c['author'],
        'comment_author_email' => $c['email'],
        'comment_content' => $c['content'],
        'comment_approved' => 1,
        'comment_date' => $c['date'],
    ]);
    if (!$id) { fwrite(STDERR, "comment not stored"); exit(1); }
}
echo $post;
"#;

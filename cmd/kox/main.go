// Command kox runs a brand's KOX program: its members, ladders, tasks,
// rewards and budget. Run `kox help` for the commands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"kox/internal/app"
	"kox/internal/db"
	"kox/internal/demo"
	"kox/internal/fault"
	"kox/internal/program"
	"kox/internal/programfile"
	"kox/internal/seal"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = ""

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"serve", "run the server", serve},
		{"demo", "run the server with the demo programs loaded", runDemo},
		{"migrate", "bring the database schema up to date and exit", migrate},
		{"backup", "write a consistent copy of the database while kox serves", backupCmd},
		{"restore", "bring back a SQLite copy made by kox backup", restoreCmd},
		{"operator", "add an operator (the first owner, say): kox operator add --help", operatorCmd},
		{"program", "program-as-code: kox program apply FILE | kox program export SLUG", programCmd},
		{"version", "print the version", printVersion},
	}
}

func usage(w io.Writer) {
	fmt.Fprintf(w, "kox runs a brand's KOX program (KOC, KOS and KOL members, ladders, tasks, rewards, budget).\n\n")
	fmt.Fprintf(w, "Usage: kox <command> [flags]\n\nCommands:\n")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "\nRun 'kox <command> --help' for a command's flags.\n")
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		usage(stdout)
		return 0
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		err := c.run(ctx, args[1:], stdout, stderr)
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		case errors.Is(err, errUsage):
			return 2
		}
		fmt.Fprintf(stderr, "kox %s: %v\n", c.name, err)
		return 1
	}
	fmt.Fprintf(stderr, "kox: unknown command %q\n\n", args[0])
	usage(stderr)
	return 2
}

var errUsage = errors.New("usage")

func flags(name, summary string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("kox "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: kox %s [flags]\n\n%s.\n\nFlags:\n", name, summary)
		fs.PrintDefaults()
	}
	return fs
}

func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "unexpected arguments: %s\n", strings.Join(fs.Args(), " "))
		fs.Usage()
		return errUsage
	}
	return nil
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

type serverFlags struct {
	addr, db   string
	trustProxy bool
	backup     app.BackupConfig
}

func (s *serverFlags) register(fs *flag.FlagSet, defaultDB string) {
	fs.StringVar(&s.addr, "addr", env("KOX_ADDR", ":8080"), "listen address (env KOX_ADDR)")
	fs.StringVar(&s.db, "db", env("KOX_DB", defaultDB), "database: a file path, sqlite:PATH, or a postgres:// URL (env KOX_DB)")
	fs.BoolVar(&s.trustProxy, "trust-proxy", env("KOX_TRUST_PROXY", "") == "true",
		"behind a reverse proxy: believe its X-Forwarded-Proto and X-Forwarded-For (env KOX_TRUST_PROXY=true)")
	fs.StringVar(&s.backup.Schedule, "backup-schedule", env("KOX_BACKUP_SCHEDULE", ""),
		"back the SQLite database up on this cron schedule, such as \"0 3 * * *\" (env KOX_BACKUP_SCHEDULE; empty: never)")
	fs.StringVar(&s.backup.Dir, "backup-dir", env("KOX_BACKUP_DIR", "kox-data/backups"), "folder for scheduled copies (env KOX_BACKUP_DIR)")
	fs.IntVar(&s.backup.Keep, "backup-keep", 7, "scheduled copies to keep")
}

// config is the app's configuration from the flags (and, for the lease an
// Idempotency-Key is held under while its request runs, KOX_IDEMPOTENCY_LEASE,
// a Go duration: tests shorten it).
func (s *serverFlags) config(log *slog.Logger) (app.Config, error) {
	lease, _ := time.ParseDuration(os.Getenv("KOX_IDEMPOTENCY_LEASE"))
	cfg := app.Config{Addr: s.addr, DB: s.db, Version: versionString(), Logger: log, TrustProxy: s.trustProxy, IdempotencyLease: lease, Backup: s.backup}
	if k := os.Getenv(seal.EnvKey); k != "" {
		key, err := seal.Parse(k)
		if err != nil {
			return cfg, err
		}
		cfg.DataKey = key
	}
	return cfg, nil
}

// demoKey seals the demo's payee details when KOX_DATA_KEY is not set: the
// demo's data is made up, and a fixed key lets it restart on its own file.
var demoKey = []byte("kox-demo-data-key-not-for-real!!")

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var sf serverFlags
	fs := flags("serve", "Run the kox server; it migrates the database first", stderr)
	sf.register(fs, db.DefaultPath)
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := sf.config(logger(stderr))
	if err != nil {
		return err
	}
	a, err := app.New(ctx, cfg)
	if err != nil {
		return err
	}
	return listenAndServe(ctx, a)
}

func listenAndServe(ctx context.Context, a *app.App) error {
	ln, err := a.Listen()
	if err != nil {
		a.Close()
		return err
	}
	return a.Serve(ctx, ln)
}

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var sf serverFlags
	fs := flags("demo", "Run the kox server with the demo programs loaded (into their own database unless --db says otherwise)", stderr)
	sf.register(fs, "kox-data/demo.db")
	fresh := fs.Bool("fresh", false, "delete the demo database first and load it anew (embedded database only)")
	size := fs.String("size", "full", "full (2,000 car owners, 500 store staff) or small (a tenth, for a quick look)")
	if err := parse(fs, args); err != nil {
		return err
	}
	sizes := map[string]demo.Size{"full": demo.Full, "small": demo.Small}
	if _, ok := sizes[*size]; !ok {
		fmt.Fprintln(stderr, "--size must be full or small")
		return errUsage
	}
	if *fresh {
		t, err := db.ParseTarget(sf.db)
		if err != nil {
			return err
		}
		if t.Engine != db.SQLite {
			return errors.New("--fresh works only on the embedded database")
		}
		for _, suffix := range []string{"", "-wal", "-shm"} {
			if err := os.Remove(t.Path + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
				return err
			}
		}
	}
	log := logger(stderr)
	cfg, err := sf.config(log)
	if err != nil {
		return err
	}
	if cfg.DataKey == nil {
		log.Warn("the demo seals payee details with a fixed key; set " + seal.EnvKey + " to use your own")
		cfg.DataKey = demoKey
	}
	a, err := app.New(ctx, cfg)
	if err != nil {
		return err
	}
	// Listening first, so that the demo's webhook channel knows where its
	// receiver is.
	ln, err := a.Listen()
	if err != nil {
		a.Close()
		return err
	}
	base := siteURL(ln.Addr())
	if err := demo.Load(ctx, demo.Deps{DB: a.DB, Ledger: a.Ledger, Tasks: a.Tasks, Budget: a.Budget, Catalog: a.Catalog,
		Points: a.Points, Payouts: a.Payouts, Badges: a.Badges, Promotion: a.Promotion, Notify: a.Notify,
		Webhook: base + demo.WebhookPath, Size: sizes[*size]}); err != nil {
		ln.Close()
		a.Close()
		return err
	}
	log.Info("demo programs loaded", "db", a.DB.Describe())
	mux := http.NewServeMux()
	mux.Handle("POST "+demo.WebhookPath, demo.Receiver(log))
	mux.Handle("/", a.Handler)
	a.Handler = mux
	links, err := demo.SignInLinks(ctx, a.DB, a.Members, base)
	if err != nil {
		a.Close()
		return err
	}
	fmt.Fprintf(stdout, "\nkox demo is running.\n\n  Console:  %s/\n  Sign in:  %s / %s\n\n  Member portal sign-in links (one use each, valid 24 hours):\n",
		base, demo.OwnerEmail, demo.OwnerPassword)
	for _, l := range links {
		fmt.Fprintf(stdout, "    %s · %s\n      %s\n", l.Program, l.Member, l.URL)
	}
	fmt.Fprintln(stdout)
	return a.Serve(ctx, ln)
}

// siteURL is the address a person on this machine opens for a listener:
// localhost for any wildcard or loopback address.
func siteURL(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "http://" + addr.String()
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() || ip.IsLoopback() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

func migrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var dsn string
	fs := flags("migrate", "Bring the database schema up to date and exit", stderr)
	dbFlag(fs, &dsn)
	if err := parse(fs, args); err != nil {
		return err
	}
	d, err := openMigrated(ctx, dsn)
	if err != nil {
		return err
	}
	defer d.Close()
	cur, _, err := d.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: schema at version %d\n", d.Describe(), cur)
	return nil
}

func printVersion(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flags("version", "Print the version", stderr)
	if err := parse(fs, args); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "kox %s\n", versionString())
	return nil
}

func versionString() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		rev, dirty := "", false
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
		if rev != "" {
			if len(rev) > 12 {
				rev = rev[:12]
			}
			if dirty {
				rev += "-dirty"
			}
			return "dev-" + rev
		}
		if bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			return bi.Main.Version
		}
	}
	return "dev"
}

// logger logs to w: readable text by default, JSON with KOX_LOG_FORMAT=json;
// KOX_LOG_LEVEL=debug|info|warn|error.
func logger(w io.Writer) *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(env("KOX_LOG_LEVEL", "info"))); err != nil {
		level = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: level}
	if os.Getenv("KOX_LOG_FORMAT") == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func operatorCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "add" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
			fmt.Fprintln(stderr, "Usage: kox operator add [flags]")
			return flag.ErrHelp
		}
		fmt.Fprintln(stderr, "Usage: kox operator add [flags]")
		return errUsage
	}
	var dsn, email, name, password, programRef, role string
	var owner bool
	fs := flags("operator add", "Add an operator; with --owner they may create programs, with --program they join one", stderr)
	dbFlag(fs, &dsn)
	fs.StringVar(&email, "email", "", "email (required)")
	fs.StringVar(&name, "name", "", "name (required)")
	fs.StringVar(&password, "password", env("KOX_PASSWORD", ""), "password, at least 10 characters (env KOX_PASSWORD)")
	fs.BoolVar(&owner, "owner", false, "administers the installation: may create programs and sees all of them")
	fs.StringVar(&programRef, "program", "", "a program (id or slug) to join")
	fs.StringVar(&role, "role", "admin", "the role in --program: admin, operator, reviewer, finance or viewer")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	d, err := openMigrated(ctx, dsn)
	if err != nil {
		return err
	}
	defer d.Close()
	svc := &program.Service{DB: d}
	ctx = program.WithActor(ctx, program.System("kox operator add"))
	o, err := svc.CreateOperator(ctx, program.NewOperator{Email: email, Name: name, Password: password, Owner: owner})
	if err != nil {
		return err
	}
	if programRef != "" {
		sc, err := svc.Scope(ctx, programRef)
		if err != nil {
			return err
		}
		if err := svc.SetRole(ctx, sc, o.PublicID, program.Role(role)); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "operator %s (%s) added\n", o.Email, o.PublicID)
	return nil
}

func programCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	usage := "Usage: kox program apply FILE [flags] | kox program export SLUG [flags]"
	if len(args) == 0 || (args[0] != "apply" && args[0] != "export") {
		fmt.Fprintln(stderr, usage)
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
			return flag.ErrHelp
		}
		return errUsage
	}
	sub := args[0]
	var dsn, out string
	var dryRun bool
	fs := flags("program "+sub, map[string]string{
		"apply":  "Create or update the program a file describes, showing what changes; an invalid file changes nothing",
		"export": "Write a program, with its ladders and tiers, as a program file",
	}[sub], stderr)
	dbFlag(fs, &dsn)
	if sub == "apply" {
		fs.BoolVar(&dryRun, "dry-run", false, "show what would change and change nothing")
	} else {
		fs.StringVar(&out, "o", "", "write to this file instead of standard output")
	}
	// The file or slug may come before or after the flags.
	rest := args[1:]
	var target string
	if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		target, rest = rest[0], rest[1:]
	}
	if err := fs.Parse(rest); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	if target == "" && fs.NArg() == 1 {
		target = fs.Arg(0)
	} else if fs.NArg() > 0 || target == "" {
		fmt.Fprintln(stderr, usage)
		return errUsage
	}
	d, err := openMigrated(ctx, dsn)
	if err != nil {
		return err
	}
	defer d.Close()
	ctx = program.WithActor(ctx, program.System("kox program "+sub))
	if sub == "export" {
		f, err := programfile.Export(ctx, d, target)
		if err != nil {
			return err
		}
		data, err := programfile.Marshal(f)
		if err != nil {
			return err
		}
		if out == "" {
			_, err = stdout.Write(data)
			return err
		}
		return os.WriteFile(out, data, 0o644)
	}
	data, err := os.ReadFile(target)
	if err != nil {
		return err
	}
	f, err := programfile.Parse(data)
	if err == nil {
		var res programfile.Result
		res, err = programfile.Apply(ctx, d, f, dryRun)
		if err == nil {
			for _, c := range res.Changes {
				fmt.Fprintln(stdout, c)
			}
			switch {
			case len(res.Changes) == 0:
				fmt.Fprintf(stdout, "%s: no changes\n", f.Program.Slug)
			case dryRun:
				fmt.Fprintf(stdout, "%s: %d changes (dry run: nothing applied)\n", f.Program.Slug, len(res.Changes))
			default:
				fmt.Fprintf(stdout, "%s: %d changes applied\n", f.Program.Slug, len(res.Changes))
			}
			return nil
		}
	}
	var fe *fault.Error
	if errors.As(err, &fe) && len(fe.Fields) > 0 {
		fmt.Fprintf(stderr, "%s is not applied; nothing changed:\n", target)
		for _, fl := range fe.Fields {
			fmt.Fprintf(stderr, "  %s: %s\n", fl.Field, fl.Reason)
		}
		return errors.New("invalid program file")
	}
	return err
}

// dbFlag registers --db for commands that work on the database directly.
func dbFlag(fs *flag.FlagSet, dsn *string) {
	fs.StringVar(dsn, "db", env("KOX_DB", db.DefaultPath), "database: a file path, sqlite:PATH, or a postgres:// URL (env KOX_DB)")
}

// openMigrated opens the database and brings its schema up to date.
func openMigrated(ctx context.Context, dsn string) (*db.DB, error) {
	d, err := db.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	if err := d.Migrate(ctx); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

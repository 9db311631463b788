// Command vault-dev starts a Vault server in dev mode for kontract's integration tests
// (test/integration/vault-secrets.test.ts, built by scripts/build-vault.sh).
//
// It runs Vault's own server code (the vault core, its HTTP API handler, the shamir seal, in-memory
// storage, the KV secrets engine and the AppRole auth method) the way `vault server -dev` does, but
// with only those plugins compiled in: the upstream `vault` binary links every builtin plugin (cloud
// SDKs, database drivers) and does not build on a 2-core machine within the CI time limit.
//
// Flags: -listen 127.0.0.1:PORT, -root-token ID. It prints "vault-dev: ready <address>" on stdout
// once the core is initialized, unsealed and the root token exists, and stops on SIGTERM/SIGINT.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sort"
	"syscall"

	log "github.com/hashicorp/go-hclog"
	kv "github.com/hashicorp/vault-plugin-secrets-kv"
	"github.com/hashicorp/vault/builtin/credential/approle"
	"github.com/hashicorp/vault/builtin/plugin"
	"github.com/hashicorp/vault/helper/namespace"
	vaulthttp "github.com/hashicorp/vault/http"
	"github.com/hashicorp/vault/internalshared/configutil"
	"github.com/hashicorp/vault/sdk/helper/consts"
	"github.com/hashicorp/vault/sdk/logical"
	"github.com/hashicorp/vault/sdk/physical/inmem"
	"github.com/hashicorp/vault/vault"
)

// registry is the builtin plugin registry: the plugins this server can mount by type name.
type registry map[consts.PluginType]map[string]logical.Factory

func (r registry) Contains(name string, t consts.PluginType) bool { _, ok := r[t][name]; return ok }

func (r registry) Get(name string, t consts.PluginType) (func() (interface{}, error), bool) {
	f, ok := r[t][name]
	if !ok {
		return nil, false
	}
	return func() (interface{}, error) { return f, nil }, true
}

func (r registry) Keys(t consts.PluginType) []string {
	keys := make([]string, 0, len(r[t]))
	for k := range r[t] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func (r registry) DeprecationStatus(name string, t consts.PluginType) (consts.DeprecationStatus, bool) {
	if r.Contains(name, t) {
		return consts.Supported, true
	}
	return consts.Unknown, false
}

func (r registry) IsBuiltinEntPlugin(string, consts.PluginType) bool { return false }

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "vault-dev:", err)
		os.Exit(1)
	}
}

func run() error {
	listen := flag.String("listen", "127.0.0.1:8200", "address to listen on")
	rootToken := flag.String("root-token", "", "ID of the root token to create (required)")
	flag.Parse()
	if *rootToken == "" {
		return errors.New("-root-token is required")
	}

	logger := log.New(&log.LoggerOptions{Name: "vault-dev", Level: log.Warn, Output: os.Stderr})
	storage, err := inmem.NewInmem(nil, logger)
	if err != nil {
		return err
	}
	core, err := vault.NewCore(&vault.CoreConfig{
		Physical:           storage,
		Logger:             logger,
		DisableMlock:       true,
		LogicalBackends:    map[string]logical.Factory{"kv": kv.Factory, "plugin": plugin.Factory},
		CredentialBackends: map[string]logical.Factory{"plugin": plugin.Factory},
		BuiltinRegistry: registry{
			consts.PluginTypeSecrets:    {"kv": kv.Factory},
			consts.PluginTypeCredential: {"approle": approle.Factory},
		},
	})
	if err != nil {
		return fmt.Errorf("core: %w", err)
	}

	ctx := namespace.ContextWithNamespace(context.Background(), namespace.RootNamespace)
	// As `vault server -dev` does: initialize with one unseal key, unseal, create the root token
	// with the given ID, revoke the generated one.
	init, err := core.Initialize(ctx, &vault.InitParams{
		BarrierConfig:    &vault.SealConfig{SecretShares: 1, SecretThreshold: 1, Name: "shamir"},
		LegacyShamirSeal: true,
	})
	if err != nil {
		return fmt.Errorf("initialize: %w", err)
	}
	if unsealed, err := core.Unseal(init.SecretShares[0]); err != nil || !unsealed {
		return fmt.Errorf("unseal: %v", err)
	}
	req := &logical.Request{
		Operation:   logical.UpdateOperation,
		ClientToken: init.RootToken,
		Path:        "auth/token/create",
		Data: map[string]interface{}{
			"id": *rootToken, "policies": []string{"root"}, "no_parent": true, "no_default_policy": true,
		},
	}
	if resp, err := core.HandleRequest(ctx, req); err != nil || resp == nil || resp.Auth == nil {
		return fmt.Errorf("create root token: %v", err)
	}
	req.Path, req.Data = "auth/token/revoke-self", nil
	if _, err := core.HandleRequest(ctx, req); err != nil {
		return fmt.Errorf("revoke initial root token: %w", err)
	}

	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	host, _, _ := net.SplitHostPort(ln.Addr().String())
	handler := vaulthttp.Handler.Handler(&vault.HandlerProperties{
		Core:           core,
		ListenerConfig: &configutil.Listener{Address: host},
	})
	server := &http.Server{Handler: handler}
	go func() {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
		<-sig
		_ = server.Close()
	}()
	fmt.Printf("vault-dev: ready http://%s\n", ln.Addr().String())
	if err := server.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return core.Shutdown()
}

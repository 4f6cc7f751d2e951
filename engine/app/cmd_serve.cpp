// passage serve [--public]: the support desk page, or (--public) the
// download links and move parts (CONTRACT.md "Two servers").

#include <ostream>

#include "engine/app/app.hpp"
#include "engine/serve/desk_server.hpp"
#include "engine/serve/public_server.hpp"

namespace passage {

namespace {

int serve_public(AppContext& app) {
  const Config& config = app.config();
  if (!config.serve.public_listen)
    throw BadInput("serve --public: serve.public_listen is not set in " + config.file.string());
  auto listen = parse_listen_address(*config.serve.public_listen);
  if (!listen) throw BadInput("serve --public: serve.public_listen is not ADDRESS:PORT");
  run_public_server(config, *listen, app.database_path(), app.clock(), app.out(), app.err());
  return k_exit_done;
}

// serve.agents_file, else the shared token (CONTRACT.md "Desk login").
DeskCredentials desk_credentials(const ServeConfig& serve) {
  if (serve.agents_file && (serve.token_file || !serve.token_env.empty()))
    throw BadInput("serve: give serve.agents_file or a shared token (serve.token_env, serve.token_file), not both");
  try {
    if (serve.agents_file) return read_agents_file(*serve.agents_file);
    return DeskCredentials{desk_token(serve), {}, std::nullopt};
  } catch (const std::runtime_error& error) {
    throw BadInput(std::string("serve: ") + error.what());
  }
}

// The desk: refuses to start without a token, before anything listens.
int serve_desk(AppContext& app) {
  const Config& config = app.config();
  DeskCredentials credentials = desk_credentials(config.serve);
  auto listen = parse_listen_address(config.serve.listen);
  if (!listen) throw BadInput("serve: serve.listen is not ADDRESS:PORT");
  app.store();  // creates or migrates the database before the first request
  run_desk_server(config, *listen, app.database_path(), app.clock(), credentials, app.out(), app.err());
  return k_exit_done;
}

// `serve add-agent NAME`: a new line in serve.agents_file, the token shown
// once (only its SHA-256 is kept). The running desk reads it at the next login.
int serve_add_agent(AppContext& app) {
  const std::string name = app.word(2, "agent name");
  const Config& config = app.config();
  if (!config.serve.agents_file)
    throw BadInput("serve add-agent: serve.agents_file is not set in " + config.file.string());
  std::string token;
  try {
    token = add_agent(*config.serve.agents_file, name);
  } catch (const std::runtime_error& error) {
    throw BadInput(std::string("serve add-agent: ") + error.what());
  }
  app.out() << "agent " << name << " added to " << config.serve.agents_file->string() << "; their desk token, "
            << "shown only now:\n" << token << "\n";
  return k_exit_done;
}

}  // namespace

int cmd_serve(AppContext& app) {
  if (app.line().words.size() > 1) return serve_add_agent(app);
  return app.line().public_server ? serve_public(app) : serve_desk(app);
}

}  // namespace passage

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

// The desk: refuses to start without a token, before anything listens.
int serve_desk(AppContext& app) {
  const Config& config = app.config();
  if (config.serve.agents_file && !config.serve.token_file && config.serve.token_env.empty())
    throw BadInput("serve: serve.agents_file is not supported yet; set serve.token_env or serve.token_file");
  std::string token;
  try {
    token = desk_token(config.serve);
  } catch (const std::runtime_error& error) {
    throw BadInput(std::string("serve: ") + error.what());
  }
  auto listen = parse_listen_address(config.serve.listen);
  if (!listen) throw BadInput("serve: serve.listen is not ADDRESS:PORT");
  app.store();  // creates or migrates the database before the first request
  run_desk_server(config, *listen, app.database_path(), app.clock(), token, app.out(), app.err());
  return k_exit_done;
}

}  // namespace

int cmd_serve(AppContext& app) { return app.line().public_server ? serve_public(app) : serve_desk(app); }

}  // namespace passage

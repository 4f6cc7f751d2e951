// passage serve [--public].

#include <ostream>

#include "engine/app/app.hpp"
#include "engine/serve/public_server.hpp"

namespace passage {

int cmd_serve(AppContext& app) {
  if (!app.line().public_server)
    throw BadInput("serve: the support page is not built yet; passage serve --public serves the "
                   "download links");
  const Config& config = app.config();
  if (!config.serve.public_listen)
    throw BadInput("serve --public: serve.public_listen is not set in " + config.file.string());
  auto listen = parse_listen_address(*config.serve.public_listen);
  if (!listen) throw BadInput("serve --public: serve.public_listen is not ADDRESS:PORT");
  const Clock& clock = app.clock();
  run_public_server(config, *listen, app.database_path(), clock, app.out(), app.err());
  return k_exit_done;
}

}  // namespace passage

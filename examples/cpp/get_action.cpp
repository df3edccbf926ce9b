// Retrieves one droplet action through the C++ interface: nothing to free by hand.
//
//   DIGITALOCEAN_ACCESS_TOKEN=... ./get_action 3164444 36804636
//
// DIGITALOCEAN_API_URL points it at another API, such as the bundled mock server.
#include <droplet_action.hpp>

#include <cstdlib>
#include <iostream>

int main(int argc, char **argv) {
  if (argc != 3) {
    std::cerr << "usage: " << argv[0] << " DROPLET_ID ACTION_ID\n";
    return 2;
  }
  try {
    const droplet::Client client = droplet::Client::from_env();
    const droplet::Result result = client.get(std::atoll(argv[1]), std::atoll(argv[2]));
    if (!result.ok()) {
      std::cerr << "error (" << droplet::to_string(result.status())
                << "): " << result.error_message() << "\n";
      return 1;
    }
    const droplet::Action action = result.action();
    const auto region = action.region();
    std::cout << "action " << action.id().value_or(0) << ": " << action.type() << " "
              << action.status_text() << " in " << (region ? region->name() : "no region")
              << " (HTTP " << result.http_status() << ", request " << result.request_id()
              << ")\n";
    return 0;
  } catch (const droplet::Error &error) {
    std::cerr << "error: " << error.what() << "\n";
    return 2;
  }
}

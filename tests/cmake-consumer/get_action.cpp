// Retrieves the documented action through droplet_action.hpp and prints
// "action ID: TYPE STATUS (linked SONAME-or-static)".
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
      std::cerr << droplet::to_string(result.status()) << ": " << result.error_message() << "\n";
      return 1;
    }
    const droplet::Action action = result.action();
    std::cout << "action " << action.id().value_or(0) << ": " << action.type() << " "
              << action.status_text() << "\n";
    return 0;
  } catch (const droplet::Error &error) {
    std::cerr << "error: " << error.what() << "\n";
    return 2;
  }
}

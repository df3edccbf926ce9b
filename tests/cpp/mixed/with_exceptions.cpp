// A program built with exceptions that links tests/cpp/mixed/without_exceptions.cpp, built
// without: each part keeps its own way of reporting a refusal.
#include "droplet_action.hpp"

#include <cstdio>
#include <string>

std::string refusal_without_exceptions();

int main() {
  try {
    droplet::ClientBuilder().token(std::string_view("x\0y", 3));
    std::puts("with exceptions: nothing thrown");
  } catch (const droplet::Error &error) {
    std::printf("with exceptions: thrown: %s\n", error.what());
  }
  std::printf("without exceptions: %s\n", refusal_without_exceptions().c_str());
  return 0;
}

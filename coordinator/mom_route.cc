// mom-route: route questions to models with a trained orchestrator (see route_command.h).
#include <iostream>

#include "coordinator/route_command.h"
#include "core/error.h"

int main(int argc, char** argv) {
  try {
    auto config = mom::coordinator::parse_route_flags(argc, argv, std::cout);
    if (!config) return 0;
    return mom::coordinator::run_route(*config, std::cout);
  } catch (const std::exception& e) {
    std::cerr << "mom-route: error: " << e.what() << "\n";
    return 1;
  }
}

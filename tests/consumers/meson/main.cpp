// Lists tables with Dynomite from a Meson application (Asio header-only).
#include "../list_tables.hpp"

int main()
{
    return dynomite_consumer::list_tables("meson_consumer");
}

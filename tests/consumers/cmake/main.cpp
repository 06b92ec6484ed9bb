// Lists tables with Dynomite from an application that compiles Asio itself.
#include "../list_tables.hpp"

int main()
{
    return dynomite_consumer::list_tables("cmake_consumer");
}

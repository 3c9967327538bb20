// hello: the smallest WASI command. Prints one line to stdout and exits 0.
#include <stdio.h>

int main(void) {
    printf("hello from C\n");
    return 0;
}

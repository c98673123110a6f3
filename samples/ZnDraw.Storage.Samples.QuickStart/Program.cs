Console.WriteLine("ZnDraw.Storage quick start");
